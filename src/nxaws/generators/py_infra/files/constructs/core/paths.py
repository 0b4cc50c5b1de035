"""Where the Nx workspace is: Docker build contexts and Cedar policy folders are relative to its root."""

from __future__ import annotations

from pathlib import Path


def workspace_root() -> Path:
    """The nearest folder holding ``nx.json`` above this package, else above the working directory."""
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for folder in (start, *start.parents):
            if (folder / "nx.json").is_file():
                return folder
    raise FileNotFoundError("No nx.json above this package or the working directory: run from the workspace.")
