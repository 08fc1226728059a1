"""Known vulnerabilities of the installed Python packages, from PyPI's advisories.

    .venv/bin/python .ci/audit_dependencies.py

pip-audit asks PyPI for each package's own release (/pypi/<name>/<version>/json), which the
CI network answers with 404, so pip-audit audits nothing there. The project's page
(/pypi/<name>/json) is reachable and carries the same advisories (PyPA's database, as
pip-audit reads them) for the project's latest release. So: a package installed at its
latest release is audited from that page; one held back by a pin elsewhere cannot be, and is
listed as such. Exits 1 when an installed release has an advisory that is not withdrawn (or
PyPI cannot be read), 0 otherwise. Where /pypi/<name>/<version>/json answers, run
`.venv/bin/pip-audit --strict --skip-editable` instead: it audits every release."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata

PROJECT_URL = "https://pypi.org/pypi/{name}/json"


@dataclass(frozen=True)
class Finding:
    name: str
    version: str
    latest: str | None  # None: not on PyPI (this project itself, installed editable)
    advisories: tuple[str, ...] = ()

    @property
    def audited(self) -> bool:
        return self.latest == self.version


def installed() -> dict[str, str]:
    """Distribution name → version, for every package of the running interpreter."""
    found = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found[name.lower()] = dist.version
    return found


def advisories_of(release: dict) -> tuple[str, ...]:
    """Each advisory in force for the project's latest release: its id, aliases and fix."""
    return tuple(
        f"{v['id']} ({', '.join(v.get('aliases') or [])}) fixed in "
        f"{', '.join(v.get('fixed_in') or ['no release yet'])}"
        for v in release.get("vulnerabilities") or []
        if not v.get("withdrawn")
    )


def audit(name: str, version: str) -> Finding:
    try:
        with urllib.request.urlopen(PROJECT_URL.format(name=name), timeout=60) as answer:
            release = json.load(answer)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return Finding(name, version, latest=None)
        raise
    latest = release["info"]["version"]
    found = advisories_of(release) if latest == version else ()
    return Finding(name, version, latest, found)


def main() -> int:
    packages = installed()
    with ThreadPoolExecutor(max_workers=8) as pool:
        findings = list(pool.map(lambda item: audit(*item), sorted(packages.items())))
    vulnerable = [f for f in findings if f.advisories]
    held_back = [f for f in findings if f.latest and not f.audited]
    unknown = [f for f in findings if f.latest is None]
    audited = len(findings) - len(held_back) - len(unknown)
    print(f"{audited} of {len(findings)} packages audited at their latest release")
    for f in held_back:
        print(f"not audited: {f.name} {f.version} (latest {f.latest}; held back by a pin)")
    for f in unknown:
        print(f"not on PyPI: {f.name} {f.version}")
    for f in vulnerable:
        print(f"VULNERABLE: {f.name} {f.version}:", *f.advisories, sep="\n  ")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
