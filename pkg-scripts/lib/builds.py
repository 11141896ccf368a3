"""The widget's wasm builds and the modes each has, read from js/builds.json (the one place
they are written): the build script and the package test ask it, and it writes the table
into the loader.

  builds.py names                 the builds, space-separated, in the file's order
  builds.py modes BUILD           that build's modes, comma-separated
  builds.py loader IN OUT         IN (js/screening_widget.js) with the table written in, to OUT
"""
import json
import os
import re
import sys

TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "js", "builds.json")
# The loader's line the table replaces.
PLACEHOLDER = "const BUILDS = {}, WASM = {}, BUILD_OF = {};\n"
NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def fail(msg):
    sys.exit(f"builds.py: js/builds.json: {msg}")


def table():
    try:
        t = json.load(open(TABLE))
    except (OSError, ValueError) as e:
        fail(f"cannot be read ({e})")
    if not isinstance(t, dict) or not t:
        fail("must be an object of build name -> list of modes")
    seen = {}
    for build, modes in t.items():
        if not NAME.match(build):
            fail(f"build name {build!r} is not lower-case letters, digits and _")
        if not isinstance(modes, list) or not modes:
            fail(f"build {build!r} needs a non-empty list of modes")
        for mode in modes:
            if not isinstance(mode, str) or not NAME.match(mode):
                fail(f"build {build!r}: mode {mode!r} is not lower-case letters, digits and _")
            if mode in seen:
                fail(f"mode {mode!r} is in two builds ({seen[mode]!r} and {build!r})")
            seen[mode] = build
    return t


def loader(t, src):
    if src.count(PLACEHOLDER) != 1:
        sys.exit("builds.py: the loader has not exactly one line: " + PLACEHOLDER.strip())
    glue = ",\n".join(f"  {b}: () => import('./screening_widget_{b}.js')" for b in t)
    wasm = ",\n".join(
        f"  {b}: () => new URL('./screening_widget_{b}_bg.wasm', import.meta.url)" for b in t
    )
    of = ", ".join(f"{m}: '{b}'" for b, modes in t.items() for m in modes)
    code = f"const BUILDS = {{\n{glue},\n}};\nconst WASM = {{\n{wasm},\n}};\nconst BUILD_OF = {{ {of} }};\n"
    return src.replace(PLACEHOLDER, code)


def main(argv):
    t = table()
    if argv[:1] == ["names"] and len(argv) == 1:
        print(" ".join(t))
    elif argv[:1] == ["modes"] and len(argv) == 2:
        if argv[1] not in t:
            fail(f"no build {argv[1]!r} (builds: {', '.join(t)})")
        print(", ".join(t[argv[1]]))
    elif argv[:1] == ["loader"] and len(argv) == 3:
        out = loader(t, open(argv[1]).read())
        open(argv[2], "w").write(out)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
