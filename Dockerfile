# syntax=docker/dockerfile:1
# One Dockerfile for both connectors and the webhook receiver. Pick one with the CONNECTOR build argument:
#
#   docker build --build-arg CONNECTOR=source      -t ghl-contacts-connectors/source-ghl-contacts:0.1.0 .
#   docker build --build-arg CONNECTOR=destination -t ghl-contacts-connectors/destination-ghl-contacts:0.1.0 .
#   docker build --build-arg CONNECTOR=webhooks    -t ghl-contacts-connectors/ghl-webhooks:0.1.0 .
#
# BASE_IMAGE defaults to Airbyte's Python connector base (Python 3.11, Debian bookworm). Any Debian-based
# image with python3 (3.11), its venv module and pip works too; packaging/images.sh (`make images`) builds with
# podman on a local Debian base made with debootstrap, because Docker Hub cannot be reached from where it runs.
ARG BASE_IMAGE=docker.io/airbyte/python-connector-base:4.0.2@sha256:9fdb1888c4264cf6fee473649ecb593f56f58e5d0096a87ee0b231777e2e3e73
ARG CONNECTOR=source

# ---- builder: wheels of the dependencies and of the project ------------------------------------------
FROM ${BASE_IMAGE} AS builder
USER root
WORKDIR /build
# Dependencies first, from pyproject.toml alone: this layer is reused until the dependency list changes.
COPY pyproject.toml ./
RUN python3 -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
        > requirements.txt \
    && python3 -m pip wheel --quiet --wheel-dir /wheels/deps -r requirements.txt
# The receiver's extra (docs/webhooks.md): only the ghl-webhooks image installs it.
RUN python3 -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["webhooks"]))' \
        > requirements-webhooks.txt \
    && python3 -m pip wheel --quiet --wheel-dir /wheels/webhooks -r requirements-webhooks.txt
# Then the project itself, as a wheel: package data (schemas, manifest, specs) ships inside it.
COPY . ./
RUN python3 -m pip wheel --quiet --no-deps --wheel-dir /wheels/project . \
    && sha256sum /wheels/project/*.whl > /wheels/project.sha256

# ---- runtime: a virtualenv with the wheels installed; no compilers, caches or wheel files ----------------
FROM ${BASE_IMAGE} AS runtime
USER root
ENV VIRTUAL_ENV=/airbyte/venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# A venv works alike on Airbyte's base and on plain Debian, where pip may not touch the system Python.
RUN id -u airbyte >/dev/null 2>&1 \
        || useradd --uid 1000 --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin airbyte \
    && mkdir -p /airbyte/integration_code \
    && python3 -m venv --without-pip "$VIRTUAL_ENV"
# The copied requirements list and wheel checksum key these layers' cache to what they install.
COPY --from=builder /build/requirements.txt /airbyte/requirements.txt
RUN --mount=type=bind,from=builder,source=/wheels/deps,target=/tmp/wheels \
    python3 -m pip --python "$VIRTUAL_ENV/bin/python" install --quiet --no-cache-dir --no-index \
        --find-links /tmp/wheels -r /airbyte/requirements.txt
COPY --from=builder /wheels/project.sha256 /airbyte/wheel.sha256
RUN --mount=type=bind,from=builder,source=/wheels/project,target=/tmp/wheels \
    python3 -m pip --python "$VIRTUAL_ENV/bin/python" install --quiet --no-cache-dir --no-index --no-deps \
        /tmp/wheels/*.whl
# Some builders (buildah) can leave the mount point behind.
RUN rm -rf /tmp/wheels
ENV PATH=/airbyte/venv/bin:$PATH
WORKDIR /airbyte/integration_code
USER airbyte

# ---- the two connector images ---------------------------------------------------------------------------
FROM runtime AS source
ENV AIRBYTE_ENTRYPOINT="source-ghl-contacts"
ENTRYPOINT ["source-ghl-contacts"]
LABEL io.airbyte.name="ghl-contacts-connectors/source-ghl-contacts"

FROM runtime AS destination
ENV AIRBYTE_ENTRYPOINT="destination-ghl-contacts"
ENTRYPOINT ["destination-ghl-contacts"]
LABEL io.airbyte.name="ghl-contacts-connectors/destination-ghl-contacts"

# ---- the webhook receiver (docs/webhooks.md): the runtime plus the `webhooks` extra -------------------------
# It listens on all interfaces of its container (publish the port, or put a proxy in front); events go to
# /data (mount a volume). Give it --location, --public-key-file and a token (GHL_WEBHOOKS_TOKEN or --token-file).
FROM runtime AS webhooks
USER root
COPY --from=builder /build/requirements-webhooks.txt /airbyte/requirements-webhooks.txt
# The system python3 runs pip (the venv has none and comes first on PATH by now).
RUN --mount=type=bind,from=builder,source=/wheels/webhooks,target=/tmp/wheels \
    env PATH=/usr/local/bin:/usr/bin:/bin python3 -m pip --python "$VIRTUAL_ENV/bin/python" install --quiet --no-cache-dir --no-index \
        --find-links /tmp/wheels -r /airbyte/requirements-webhooks.txt \
    && mkdir -p /data && chown airbyte:airbyte /data
RUN rm -rf /tmp/wheels
USER airbyte
VOLUME /data
EXPOSE 8780
ENTRYPOINT ["ghl-webhooks", "serve", "--host", "0.0.0.0", "--allow-remote", "--db", "/data/events.sqlite"]
LABEL org.opencontainers.image.title="ghl-webhooks"

FROM ${CONNECTOR}
