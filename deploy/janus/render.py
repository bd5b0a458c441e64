"""Fill the Janus config templates beside this file and write them into one folder, for
`janus --configs-folder=<folder>`. The one way to do it: `make janus` and `make run` run this
script, tests/server.py's JanusServer imports it, production runs it once per deploy.

    python3 deploy/janus/render.py .janus --admin-key-file .janus/admin_key \\
        --recordings-dir private-media/janus-recordings
    python3 deploy/janus/render.py /etc/classes-janus --bind-ip 10.0.0.5 --rtp-range 20000-20999 \\
        --admin-key-file /etc/classes-janus/admin_key

The admin key (the VideoRoom's admin_key, the server's JANUS_ADMIN_KEY) is never in the repo:
--admin-key-file reads it from a file, and makes one with a new random key the first time.
Plain Python with no imports from the project, so it runs before the virtualenv exists.
"""

import argparse
import json
import re
import secrets
import sys
import sysconfig
from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent
TEMPLATES = (
    "janus.jcfg",
    "janus.transport.http.jcfg",
    "janus.transport.websockets.jcfg",
    "janus.plugin.videoroom.jcfg",
)
# What Janus loads; every other shared object in its folders is disabled by name, so a
# plugin a newer package adds stays off too.
PLUGINS_KEPT = {"libjanus_videoroom.so"}
TRANSPORTS_KEPT = {"libjanus_http.so", "libjanus_websockets.so"}
DEFAULT_HTTP_PORT = 8088
DEFAULT_WS_PORT = 8188
# Janus's own example range: each PeerConnection takes one port (bundled, rtcp-mux).
DEFAULT_RTP_RANGE = "20000-40000"
# Janus's API (HTTP) and the browsers' socket (WebSocket) listen here; a private address when
# Janus runs on a machine of its own (docs/deploy.md).
DEFAULT_BIND_IP = "127.0.0.1"
# 32 random bytes, as URL-safe text: nothing to quote in a jcfg string or an environment variable.
ADMIN_KEY_BYTES = 32
RTP_RANGE = re.compile(r"^(\d{1,5})-(\d{1,5})$")


def janus_lib_dir() -> Path:
    """The folder holding Janus's plugins/ and transports/: Debian's (multiarch), then a
    source build's default prefixes."""
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    candidates = [Path("/usr/lib") / multiarch / "janus", Path("/usr/lib/janus"),
                  Path("/usr/local/lib/janus"), Path("/opt/janus/lib/janus")]
    for candidate in candidates:
        if (candidate / "plugins" / "libjanus_videoroom.so").exists():
            return candidate
    raise FileNotFoundError(
        "Janus's VideoRoom plugin is in none of " + ", ".join(str(c) for c in candidates)
        + ": install Janus (apt-get install janus) or pass --lib-dir"
    )


def admin_key_read_or_create(path: Path) -> str:
    """The key kept in `path`; a new random one, written there readable by its owner only,
    if there is none yet (so the key stays the same from one start to the next)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(ADMIN_KEY_BYTES) + "\n")
    key = path.read_text().strip()
    if not key:
        raise ValueError(f"{path} is empty: delete it to have a new admin key made")
    return key


def _others(folder: Path, kept: set[str]) -> str:
    """The comma-separated names of the shared objects in `folder` that are not in `kept`."""
    if not folder.is_dir():
        return ""
    return ",".join(sorted(p.name for p in folder.iterdir() if p.name.endswith(".so") and p.name not in kept))


def protected_folders(recordings_dir: Path | None) -> list[str]:
    """Every folder but `recordings_dir` (and what is inside it), as Janus's protected_folders:
    Janus compares the start of a path's text, so each folder beside the way down to it is
    listed, ending in "/" (so that "/srv/class/" does not also cover "/srv/classes/"). Only
    "/" without one: nothing may be recorded."""
    if recordings_dir is None:
        return ["/"]
    recordings_dir = recordings_dir.resolve()
    recordings_dir.mkdir(parents=True, exist_ok=True)
    folders = []
    for parent, step in zip(reversed(recordings_dir.parents), recordings_dir.parts[1:]):
        try:
            beside = sorted(parent.iterdir())
        except OSError:
            continue  # a folder Janus cannot look into it cannot write into either
        folders += [f"{entry}/" for entry in beside if entry.name != step]
    return folders


def janus_configs_render(outdir: Path, *, admin_key: str, http_port: int = DEFAULT_HTTP_PORT,
                         ws_port: int = DEFAULT_WS_PORT, rtp_range: str = DEFAULT_RTP_RANGE,
                         bind_ip: str = DEFAULT_BIND_IP, lib_dir: Path | None = None,
                         recordings_dir: Path | None = None) -> list[Path]:
    """Write the four config files, filled, into `outdir` (readable by its owner only: the
    VideoRoom's holds the admin key). Returns their paths. ValueError for a value that would
    make a broken or unsafe config. With `recordings_dir` (the site's RECORDINGS_DIR), Janus
    may write recordings there and nowhere else; without, nowhere."""
    if not re.fullmatch(r"[A-Za-z0-9_\-.~]{16,}", admin_key):
        # Into a jcfg string as it is: no quotes or backslashes, and long enough to guess at.
        raise ValueError("the admin key must be at least 16 characters of A-Z a-z 0-9 _ - . ~")
    match = RTP_RANGE.match(rtp_range)
    if not match or not 1024 <= int(match.group(1)) <= int(match.group(2)) <= 65535:
        raise ValueError(f"the RTP range is two ports, low-high, from 1024 to 65535, not {rtp_range!r}")
    for port in (http_port, ws_port):
        if not 1 <= port <= 65535:
            raise ValueError(f"{port} is not a port")
    lib_dir = lib_dir or janus_lib_dir()
    values = {
        "LIB_DIR": str(lib_dir),
        "DISABLED_PLUGINS": _others(lib_dir / "plugins", PLUGINS_KEPT),
        "DISABLED_TRANSPORTS": _others(lib_dir / "transports", TRANSPORTS_KEPT),
        "DISABLED_LOGGERS": _others(lib_dir / "loggers", set()),
        "BIND_IP": bind_ip,
        "HTTP_PORT": str(http_port),
        "WS_PORT": str(ws_port),
        "RTP_RANGE": rtp_range,
        "ADMIN_KEY": admin_key,
        "PROTECTED_FOLDERS": ",\n\t\t".join(json.dumps(f) for f in protected_folders(recordings_dir)),
    }
    placeholder = re.compile("@(" + "|".join(values) + ")@")
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TEMPLATES:
        text = placeholder.sub(lambda m: values[m.group(1)], (TEMPLATES_DIR / name).read_text())
        target = outdir / name
        target.touch(mode=0o600)
        target.chmod(0o600)
        target.write_text(text)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path, help="folder to write the configs into (janus --configs-folder)")
    parser.add_argument("--admin-key-file", type=Path, required=True,
                        help="file holding the VideoRoom admin key; created with a random key if missing")
    parser.add_argument("--http-port", type=int, default=DEFAULT_HTTP_PORT)
    parser.add_argument("--ws-port", type=int, default=DEFAULT_WS_PORT)
    parser.add_argument("--rtp-range", default=DEFAULT_RTP_RANGE, help="UDP ports for media, low-high")
    parser.add_argument("--bind-ip", default=DEFAULT_BIND_IP, help="address the HTTP and WebSocket APIs listen on")
    parser.add_argument("--lib-dir", type=Path, help="Janus's library folder (default: found)")
    parser.add_argument("--recordings-dir", type=Path,
                        help="the one folder Janus may record into (the site's RECORDINGS_DIR); default: none")
    args = parser.parse_args(argv)
    try:
        admin_key = admin_key_read_or_create(args.admin_key_file)
        janus_configs_render(args.outdir, admin_key=admin_key, http_port=args.http_port, ws_port=args.ws_port,
                             rtp_range=args.rtp_range, bind_ip=args.bind_ip, lib_dir=args.lib_dir,
                             recordings_dir=args.recordings_dir)
    except (OSError, ValueError) as error:
        sys.exit(f"render.py: {error}")


if __name__ == "__main__":
    main()
