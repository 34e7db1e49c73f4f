"""32 concurrent huggingface_hub clients against a subprocess server: every byte matches."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor

from genzoo_hub import import_folder

CLIENTS = 32


def _payload(seed: int, size: int) -> bytes:
    block = hashlib.sha256(b"%d" % seed).digest()
    return (block * (size // len(block) + 1))[:size]


def test_32_concurrent_clients(spawn, source, tmp_path):
    files = {"shared.bin": _payload(-1, 3 << 20)}
    files.update({f"part-{i}.bin": _payload(i, 200_000 + i) for i in range(8)})
    root = tmp_path / "root"
    [(repo_id, commit)] = import_folder(root, source("shared", files))
    server = spawn(root)

    def client(index: int) -> list[str]:
        wanted = ["shared.bin", f"part-{index % 8}.bin"]
        return [
            hashlib.sha256(server.download(repo_id, name, revision="main" if index % 2 else commit)).hexdigest()
            for name in wanted
        ]

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(client, range(CLIENTS)))

    expected = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    assert results == [[expected["shared.bin"], expected[f"part-{i % 8}.bin"]] for i in range(CLIENTS)]
