"""`make lint`'s dependency audit: pip-audit over the virtualenv, failing on a known
vulnerability and skipping, with a message, when no advisory source answers (a machine
that reaches only a PyPI mirror gets "not found" for every package)."""

import json
import subprocess
import sys
from pathlib import Path

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def main() -> int:
    result = subprocess.run(
        [str(PIP_AUDIT), "--progress-spinner", "off", "--skip-editable", "-f", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except ValueError:
        print(f"pip-audit: no advisory source answered, audit skipped ({result.stderr[-200:]})")
        return 0
    packages = report.get("dependencies", [])
    audited = [package for package in packages if "skip_reason" not in package]
    if not audited:
        print(f"pip-audit: no advisory source knew any of {len(packages)} packages; skipped")
        return 0
    vulnerable = [package for package in audited if package.get("vulns")]
    for package in vulnerable:
        ids = ", ".join(vuln["id"] for vuln in package["vulns"])
        print(f"pip-audit: {package['name']} {package['version']}: {ids}")
    print(f"pip-audit: {len(audited)} packages audited, {len(vulnerable)} with known advisories")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
