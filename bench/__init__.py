"""`make bench`: our pages under load against a bare-Django floor (docs/performance.md)."""
