"""Run a connector image with podman and read its output as Airbyte protocol messages, strictly."""
from __future__ import annotations

import json
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from airbyte_cdk.models import AirbyteMessage, Type
from airbyte_cdk.models.airbyte_protocol_serializers import AirbyteMessageSerializer

ROOT = Path(__file__).resolve().parents[2]
IMAGES_SH = ROOT / "packaging" / "images.sh"
SHIM_DIR = ROOT / "packaging" / "bin"
RUN_TIMEOUT_S = 600


def image_names() -> dict[str, tuple[str, list[str]]]:
    """Each connector's image repository and tags, as packaging/images.sh names them (`images.sh names`)."""
    listed = subprocess.run([str(IMAGES_SH), "names"], capture_output=True, text=True, check=True, timeout=60)
    names = {}
    for line in listed.stdout.splitlines():
        kind, repository, *tags = line.split()
        names[kind] = (repository, tags)
    return names


# The images the tests run: the `dev` tag of each.
IMAGES = {kind: f"{repository}:dev" for kind, (repository, _) in image_names().items()}


def podman(*args: str, timeout: float = RUN_TIMEOUT_S, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(IMAGES_SH), "podman", *args], capture_output=True, text=True, timeout=timeout,
                          **kwargs)


def podman_unavailable_reason() -> str | None:
    """Why the image tests cannot run here, or None when podman can run containers."""
    if not IMAGES_SH.exists():
        return f"{IMAGES_SH} is missing"
    probe = subprocess.run([str(IMAGES_SH), "available"], capture_output=True, text=True, timeout=120)
    return None if probe.returncode == 0 else f"no container engine: {probe.stdout.strip() or probe.stderr.strip()}"


def entry_point_missing(kind: str) -> str | None:
    """Why the `kind` image has nothing to run yet, or None once its console script is declared."""
    name = f"{kind}-ghl-contacts"
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"].get("scripts", {})
    if name in scripts:
        return None
    return (f"`{name}` is not declared in pyproject.toml [project.scripts] yet, so the {kind} image has no "
            f"entry point to run (expected `{name} = \"{kind}_ghl_contacts.run:run\"`)")


@dataclass
class Output:
    command: list[str]
    returncode: int
    stdout: str
    stderr: str
    messages: list[AirbyteMessage] = field(default_factory=list)

    def of_type(self, kind: Type) -> list[AirbyteMessage]:
        return [m for m in self.messages if m.type == kind]

    def describe(self) -> str:
        return (f"`{' '.join(self.command)}` exited {self.returncode}\n--- stdout (tail) ---\n{self.stdout[-3000:]}"
                f"\n--- stderr (tail) ---\n{self.stderr[-3000:]}")


def parse_protocol(stdout: str) -> list[AirbyteMessage]:
    """Every stdout line must be one Airbyte protocol message; the first that is not fails with its number."""
    messages = []
    for number, line in enumerate(stdout.splitlines(), start=1):
        try:
            messages.append(AirbyteMessageSerializer.load(orjson.loads(line)))
        except Exception as error:  # any parse or model error means the line is not a protocol message
            raise AssertionError(f"stdout line {number} is not an Airbyte protocol message "
                                 f"({type(error).__name__}: {error}):\n{line[:500]}") from None
    return messages


def write_inputs(folder: Path, **files: dict) -> Path:
    """JSON files in a folder the container's non-root user can read (pytest's tmp folders are 0700)."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    for name, content in files.items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(content))
        path.chmod(0o644)
    return folder


def run_connector(kind: str, *args: str, inputs: Path | None = None, stdin: str | None = None) -> Output:
    """`podman run` the connector image on the host network (the sandbox listens on 127.0.0.1)."""
    command = ["run", "--rm", "--network=host"]
    if stdin is not None:
        command.append("-i")
    if inputs is not None:
        command += ["-v", f"{inputs}:/secrets:ro"]
    command += [IMAGES[kind], *args]
    done = podman(*command, input=stdin)
    output = Output(["podman", *command], done.returncode, done.stdout, done.stderr)
    output.messages = parse_protocol(done.stdout)
    return output
