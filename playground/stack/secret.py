"""The local stack's SECRET_KEY: made at random on first start and kept under var/.

Sessions are signed with it, so it stays on this machine (mode 0600, git-ignored) and is
the same on every start: browsers keep their runs across restarts.
"""

import os
import secrets
from pathlib import Path


def local_key(var_dir: Path) -> str:
    path = var_dir / "secret_key"
    var_dir.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two starts at once never overwrite each other's key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(50) + "\n")
    return path.read_text().strip()
