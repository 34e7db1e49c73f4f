"""``python -m genzoo.hub.server --root DIR [...]``: run the server (or ``--fsck``) without the genzoo CLI."""

from __future__ import annotations

import argparse
import sys

from .app import DEFAULT_MAX_UPLOAD_BYTES
from .auth import load_tokens
from .fsck import fsck
from .runner import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genzoo.hub.server", description=__doc__)
    parser.add_argument("--root", required=True, help="storage directory (created if missing)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--tokens", metavar="FILE", help="token file, one 'token:role' per line (role read|write)")
    parser.add_argument("--import", dest="import_dir", metavar="DIR", help="publish DIR/<name> as <namespace>/<name>")
    parser.add_argument("--namespace", default="genzoo", help="namespace of imported repos")
    parser.add_argument("--max-upload-bytes", type=int, default=DEFAULT_MAX_UPLOAD_BYTES)
    parser.add_argument("--fsck", action="store_true", help="verify every stored commit and blob, then exit")
    args = parser.parse_args(argv)
    if args.fsck:
        report = fsck(args.root)
        print(report.summary())
        return 0 if report.ok else 1
    serve(
        args.root,
        host=args.host,
        port=args.port,
        tokens=load_tokens(args.tokens),
        import_dir=args.import_dir,
        namespace=args.namespace,
        max_upload_bytes=args.max_upload_bytes,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
