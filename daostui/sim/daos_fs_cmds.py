"""Simulated `daos filesystem check|copy` (daos-cli.md §5: `DFS checker:` lines, copy statistics)."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from daostui.sim import daos_state as ds
from daostui.sim.daos_base import NONEXIST, DaosBase, Failure, der_status


class FilesystemCommands(DaosBase):
    def fs_check(self, args: list[str]) -> int:
        self.pool_cont(args)  # unknown pool or container fails like the real tool
        sys.stdout.write(
            f"DFS checker: Start ({time.strftime('%Y-%m-%d-%H:%M:%S')})\n"
            "DFS checker: Number of leaked OIDs in namespace = 0\n"
        )
        return 0

    def endpoint(self, text: str) -> tuple[Path, dict[str, Any] | None]:
        if not text.startswith("daos://"):
            return Path(text), None
        parts = text.removeprefix("daos://").split("/", 2)
        if len(parts) < 2:
            raise Failure(f"invalid DAOS path {text}")
        data = self.state()
        pool = self.pool_for(data, parts[0], container_cmd=True)
        cont = self.cont_for(data, pool, parts[1])
        base = ds.data_dir(self.dir, pool, cont)
        return base / (parts[2] if len(parts) > 2 else ""), {"pool": pool["uuid"], "cont": cont["uuid"]}

    def fs_copy(self, opts: dict[str, str]) -> int:
        src_text, dst_text = opts.get("src", ""), opts.get("dst", "")
        if not src_text or not dst_text:
            raise Failure("the required flags `--dst' and `--src' were not specified")
        try:
            src, src_ids = self.endpoint(src_text)
            dst, dst_ids = self.endpoint(dst_text)
        except Failure as exc:
            raise Failure(f"failed to copy {src_text} -> {dst_text}: {exc}", der_status(str(exc))) from None
        if not src.exists():
            raise Failure(f"failed to copy {src_text} -> {dst_text}: {NONEXIST}", -1005)
        counts = {"num_dirs": 0, "num_files": 0, "num_links": 0}
        try:
            if src.is_dir():
                for root, dirs, files in os.walk(src):
                    rel = Path(root).relative_to(src)
                    (dst / rel).mkdir(parents=True, exist_ok=True)
                    counts["num_dirs"] += 1
                    for name in files:
                        source = Path(root) / name
                        if source.is_symlink():
                            counts["num_links"] += 1
                            target = dst / rel / name
                            if target.exists() or target.is_symlink():
                                target.unlink()
                            target.symlink_to(os.readlink(source))
                        else:
                            shutil.copy2(source, dst / rel / name)
                            counts["num_files"] += 1
                    counts["num_links"] += sum(1 for d in dirs if (Path(root) / d).is_symlink())
            else:
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst if not dst.is_dir() else dst / src.name)
                counts["num_files"] = 1
        except OSError as exc:
            raise Failure(
                f"failed to copy {src_text} -> {dst_text}: {exc.strerror or exc}: DER_IO(-2001): I / O error",
                -2001,
            ) from None
        kind = "DAOS" if dst_ids else "POSIX"
        response = {
            "src_pool": (src_ids or {}).get("pool", ""),
            "src_cont": (src_ids or {}).get("cont", ""),
            "dst_pool": (dst_ids or {}).get("pool", ""),
            "dst_cont": (dst_ids or {}).get("cont", ""),
            "copy_stats": counts,
        }
        text = (
            f"Successfully copied to {kind}: {dst_text}\n    Directories: {counts['num_dirs']}\n"
            f"    Files:       {counts['num_files']}\n    Links:       {counts['num_links']}\n"
        )
        return self.emit(response, text)
