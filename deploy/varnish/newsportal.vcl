# The page cache in front of gunicorn (docs/deploy.md, "Varnish"): Varnish 7 with the xkey
# vmod (Debian: apt-get install varnish varnish-modules).
#
# What it stores is decided by the app, never guessed here: only answers whose
# Cache-Control says public (or gives a max-age) and that set no cookie, for requests that
# carry no session, no messages and no Authorization, to addresses outside the personal
# and action paths. Everything else goes to gunicorn every time. The app names what each
# page shows in an `xkey` header (core/purge.py); its purge client sends
#     PURGE /  with  xkey-purge: article-12 front ...     (or xkey-softpurge)
# from the addresses of the `purgers` ACL, and the header never reaches a reader.
#
# What differs per deployment (the backend's host and port, who may purge, which front
# proxies' X-Real-IP to believe) is in site.vcl, included below and looked up on
# varnishd's vcl_path: docker-compose.yml mounts this directory, whose site.vcl is the
# compose stack's; elsewhere copy site.vcl next to this file and edit it.
# tests/test_varnish.py runs this file in front of gunicorn with a site.vcl of its own.

vcl 4.1;

import xkey;

include "site.vcl";

sub vcl_recv {
    if (req.method == "PURGE") {
        # X-Real-IP is written by the front proxy on everything it relays, and never sent
        # by the purge client: a PURGE carrying it came in through the front door.
        if (client.ip !~ purgers || req.http.X-Real-IP) {
            return (synth(405, "Not allowed"));
        }
        if (req.http.xkey-purge) {
            set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        } elsif (req.http.xkey-softpurge) {
            set req.http.n-gone = xkey.softpurge(req.http.xkey-softpurge);
        } else {
            return (synth(400, "Name the keys in xkey-purge or xkey-softpurge"));
        }
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }

    # The reader's address, for rate limits and view counting (CLIENT_IP_HEADER=X-Real-IP):
    # from a trusted front proxy as it wrote it, else the connection's own.
    if (client.ip !~ front_proxies || !req.http.X-Real-IP) {
        set req.http.X-Real-IP = client.ip;
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # A HEAD is a link checker, never a reader, but Varnish fills its cache from it with a
    # GET, which Django would count as a view: say so the way browsers mark a prefetch,
    # which the view counting leaves out (readership/bots.py).
    if (req.method == "HEAD") {
        set req.http.Sec-Purpose = "prefetch";
    }

    # Static files (whitenoise: hashed names, Cache-Control public) and media are the
    # same for everyone: cached whoever asks, cookies or not.
    if (req.url ~ "^/(static|media)/") {
        unset req.http.Cookie;
        return (hash);
    }

    # The admin, accounts and the engagement apps' forms and actions are personal (the
    # ratings form reads its np_rater cookie): straight through, cookies and all.
    if (req.url ~ "^/(admin|accounts|comments|ratings|votes|polls)/") {
        return (pass);
    }

    # A signed-in reader (the session cookie, SESSION_COOKIE_NAME), a pending message
    # (the messages cookie) or credentials: the page is theirs alone.
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }

    # Anyone else is an anonymous reader: whatever other cookies they carry (csrftoken,
    # analytics) do not change the page, so they share one copy.
    unset req.http.Cookie;
    # The site has one language (LANGUAGES), so Accept-Language, which Django's
    # LocaleMiddleware names in Vary, would only split the cache into a copy per browser.
    unset req.http.Accept-Language;
    # Campaign and click tags do not change the page either (articles/page_cache.py).
    if (req.url ~ "[?&](utm_[a-z]+|fbclid|gclid)=") {
        set req.url = regsuball(req.url, "(?<=[?&])(utm_[a-z]+|fbclid|gclid)=[^&]*(&|$)", "");
        set req.url = regsub(req.url, "[?&]+$", "");
    }
    return (hash);
}

sub vcl_backend_response {
    # A background refresh of a stale copy that got an error: keep serving the stale copy
    # (see the grace below) rather than store the error in its place. (When gunicorn does
    # not answer at all, Varnish keeps the stale copy by itself.)
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }
    if (bereq.uncacheable) {
        return (deliver);
    }
    # Only what the app says may be shared: public or a max-age, nothing private, no
    # cookie being set. Django answers without Cache-Control by default, and Varnish
    # would keep such a page for its default TTL: here it is never kept.
    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(?i)(private|no-cache|no-store)"
        || beresp.http.Cache-Control !~ "(?i)(public|max-age)"
        || beresp.http.Vary ~ "\*") {
        # Remembered as uncacheable for a little while, so readers are not queued behind
        # one another's requests for it.
        set beresp.ttl = 10s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Kept for hours past its max-age: while gunicorn answers, a stale copy is served to
    # one reader while a fresh one is fetched in the background; while it does not, the
    # stale copy is served (the failed background fetch is abandoned).
    set beresp.grace = 6h;
    return (deliver);
}

sub vcl_deliver {
    # The keys are ours; the reader learns only whether the copy came from the cache.
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
}
