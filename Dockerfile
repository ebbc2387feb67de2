# syntax=docker/dockerfile:1
#
# Two images from one file:
#
#   docker build -t reelpulse .                                  static binary only (default)
#   docker build --target chromium -t reelpulse:chromium .       with Debian's chromium for the browser fallback
#
# Both run as an unprivileged user, listen on 0.0.0.0:8080 and keep the
# SQLite file, when DATABASE_URL names one, in the /data volume.

ARG GO_VERSION=1.26
ARG DEBIAN_RELEASE=trixie

FROM golang:${GO_VERSION}-${DEBIAN_RELEASE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/reelpulse/reelpulse/internal/cli.Version=${VERSION}" \
      -o /out/reelpulse ./cmd/reelpulse \
 && mkdir -p /out/data

# The browser variant: Debian's chromium and the fonts it needs to render
# pages, about 300 MB more than the static image.
FROM debian:${DEBIAN_RELEASE}-slim AS chromium
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates chromium fonts-liberation tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 65532 --user-group --home-dir /data --no-create-home reelpulse
COPY --from=build /out/reelpulse /usr/local/bin/reelpulse
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
WORKDIR /data
ENV REELPULSE_ADDR=0.0.0.0:8080 \
    DATABASE_URL=/data/reelpulse.db \
    REELPULSE_BROWSER_PATH=/usr/bin/chromium
EXPOSE 8080
VOLUME ["/data"]
ENTRYPOINT ["reelpulse"]
CMD ["serve"]

# The default image: the static binary on distroless (CA certificates,
# time zone data and a nonroot user, no shell). The browser fallback is
# off because there is no browser to start.
FROM gcr.io/distroless/static-debian13:nonroot AS static
COPY --from=build /out/reelpulse /usr/local/bin/reelpulse
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
WORKDIR /data
ENV REELPULSE_ADDR=0.0.0.0:8080 \
    DATABASE_URL=/data/reelpulse.db \
    REELPULSE_BROWSER=never
EXPOSE 8080
VOLUME ["/data"]
ENTRYPOINT ["reelpulse"]
CMD ["serve"]
