"""A CycloneDX 1.5 SBOM (JSON) of one workspace binary: every crate compiled into it.

usage: sbom.py <package> <sha256 file>   (prints the document)

It reads `cargo metadata` for this machine's target and walks the package's normal
dependencies (build scripts and dev-dependencies are not in the binary); each crate is a
component with its version, licence and package URL. The binary's checksum is the
document's subject.
"""
import json
import subprocess
import sys
import uuid
from datetime import datetime, timezone

package, sha_file = sys.argv[1], sys.argv[2]
host = next(l.split(": ", 1)[1] for l in subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout.splitlines() if l.startswith("host: "))
meta = json.loads(subprocess.run(
    ["cargo", "metadata", "--format-version", "1", "--locked", "--filter-platform", host],
    capture_output=True, text=True, check=True).stdout)
pkgs = {p["id"]: p for p in meta["packages"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
root = next(p["id"] for p in meta["packages"] if p["name"] == package and p["source"] is None)

seen, todo = set(), [root]
while todo:
    pid = todo.pop()
    if pid in seen:
        continue
    seen.add(pid)
    for dep in nodes[pid]["deps"]:
        if any(k["kind"] is None for k in dep["dep_kinds"]):
            todo.append(dep["pkg"])


def ref(pid):
    """A component's reference: name@version (package ids name build-machine paths)."""
    return f"{pkgs[pid]['name']}@{pkgs[pid]['version']}"


def component(p):
    c = {"type": "library" if p["id"] != root else "application", "bom-ref": ref(p["id"]),
         "name": p["name"], "version": p["version"]}
    if p["source"] and p["source"].startswith("registry+"):
        c["purl"] = f"pkg:cargo/{p['name']}@{p['version']}"
    if p.get("license"):
        c["licenses"] = [{"expression": p["license"]}]
    return c


sha = open(sha_file).read().split()[0]
main = pkgs[root]
doc = {
    "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
    "serialNumber": f"urn:uuid:{uuid.uuid4()}",
    "metadata": {
        "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "component": {**component(main), "hashes": [{"alg": "SHA-256", "content": sha}]},
    },
    "components": [component(pkgs[i]) for i in sorted(seen - {root}, key=lambda i: (pkgs[i]["name"], pkgs[i]["version"]))],
    "dependencies": [{"ref": ref(i), "dependsOn": sorted({ref(d["pkg"]) for d in nodes[i]["deps"] if d["pkg"] in seen and any(k["kind"] is None for k in d["dep_kinds"])})} for i in sorted(seen, key=ref)],
}
json.dump(doc, sys.stdout, indent=1)
print()
