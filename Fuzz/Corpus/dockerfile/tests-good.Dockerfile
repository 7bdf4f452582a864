# syntax=docker/dockerfile:1
FROM --platform=$BUILDPLATFORM golang:1.22@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa AS build
WORKDIR /src
RUN go build \
    # a comment inside a continuation
    -o /out/app .
FROM gcr.io/distroless/static:nonroot@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
ARG VERSION
ARG VCS_REF
ARG BUILD_DATE
LABEL org.opencontainers.image.version=$VERSION
COPY --from=build /out/app /app
USER 65532:65532
ENTRYPOINT ["/app"]
