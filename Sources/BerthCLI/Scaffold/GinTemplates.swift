/// The files `berth init --template gin` writes into a Go module: a Dockerfile and .dockerignore, a
/// berth.yaml that builds the service, a `version` package with a Gin handler for -X injection, and CI
/// workflows that run `berth build`. examples/gin-service is this template's output (a test checks it).
enum GinTemplates {
    /// The values a template is filled with.
    struct Values {
        /// The module path from go.mod (`example.com/gin-service`).
        let module: String
        /// The binary's name (`gin-service`).
        let binary: String

        func render(_ template: String) -> String {
            template.replacingOccurrences(of: "{{module}}", with: module).replacingOccurrences(of: "{{binary}}", with: binary)
        }
    }

    static let dockerfile = """
        # {{binary}}: a static Go binary on an empty base, run as a non-root user.
        # `berth build` makes this image without a daemon and without this file; `berth build --driver
        # buildah|podman|docker` runs this file with berth's tags, labels and build args (VERSION, VCS_REF,
        # BUILD_DATE, SOURCE_DATE_EPOCH). Pin the builder by digest with `berth pin`; `berth lint` checks it.
        FROM golang:1.19-bookworm AS build
        WORKDIR /src
        COPY go.mod go.sum* ./
        RUN --mount=type=cache,target=/go/pkg/mod go mod download
        COPY . .
        ARG VERSION=dev
        ARG VCS_REF=none
        ARG BUILD_DATE=unknown
        # The caches outlive the build (BuildKit, buildah and podman keep them), so a rebuild is incremental.
        RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \\
            CGO_ENABLED=0 go build -trimpath \\
              -ldflags "-s -w -X {{module}}/internal/version.Version=${VERSION} -X {{module}}/internal/version.Commit=${VCS_REF} -X {{module}}/internal/version.BuildDate=${BUILD_DATE}" \\
              -o /out/{{binary}} .

        FROM scratch
        ARG VERSION=dev
        ARG VCS_REF=none
        ARG BUILD_DATE=unknown
        LABEL org.opencontainers.image.version=$VERSION \\
              org.opencontainers.image.revision=$VCS_REF \\
              org.opencontainers.image.created=$BUILD_DATE
        COPY --from=build /out/{{binary}} /app/{{binary}}
        WORKDIR /app
        ENV GIN_MODE=release ADDR=:8080
        EXPOSE 8080
        USER 65532:65532
        ENTRYPOINT ["/app/{{binary}}"]

        """

    static let dockerignore = """
        # Only the Go sources reach the build: no git history, local builds, editor or CI files.
        .git
        .github
        .gitlab-ci.yml
        .berth
        Dockerfile
        .dockerignore
        {{binary}}
        *.test
        *.out
        **/*_test.go
        *.md

        """

    static let versionPackage = """
        // Package version holds the build facts berth injects with -ldflags -X, and serves them.
        package version

        import (
        \t"net/http"

        \t"github.com/gin-gonic/gin"
        )

        // Set at build time: -X {{module}}/internal/version.Version=1.2.3 (and Commit, BuildDate).
        var (
        \tVersion   = "dev"
        \tCommit    = "none"
        \tBuildDate = "unknown"
        )

        // Info is what GET /version returns.
        type Info struct {
        \tVersion   string `json:"version"`
        \tCommit    string `json:"commit"`
        \tBuildDate string `json:"buildDate"`
        }

        // Current returns the injected build facts.
        func Current() Info { return Info{Version: Version, Commit: Commit, BuildDate: BuildDate} }

        // Handler serves Current as JSON: router.GET("/version", version.Handler).
        func Handler(c *gin.Context) { c.JSON(http.StatusOK, Current()) }

        """

    static let berthYAML = """
        # berth.yaml for {{module}}: versions from Conventional Commits, images built by `berth build`.
        # Reference: docs/configuration.md in berth's repository.
        version:
          tag_prefix: v
        image:
          names: []                  # e.g. [ghcr.io/acme/{{binary}}]; or pass --images
        go:
          package: {{module}}/internal/version   # where -X sets Version, Commit and BuildDate
        build:
          platforms: [linux/amd64, linux/arm64]
          base: scratch              # or an image pinned by digest: gcr.io/distroless/static-debian12@sha256:…
          user: "65532:65532"
          ports: ["8080"]
          env:
            GIN_MODE: release
            ADDR: ":8080"

        """

    static let githubWorkflow = """
        # Release: berth plans the version, builds the image without a daemon, pushes it to every planned
        # tag with an SBOM, then pushes the git tag. berth comes from its release archive, checksum
        # verified: set the repository variables BERTH_VERSION and BERTH_RELEASES.
        name: release
        on:
          push:
            branches: [main, develop, "release/**"]
          pull_request:
          workflow_dispatch:

        permissions:
          contents: write
          packages: write

        jobs:
          release:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v5  # shallow: berth plan --deepen fetches just the history it needs
              - uses: actions/setup-go@v6
                with:
                  go-version-file: go.mod
        \(BerthInstallScript.githubStep)
              - name: Plan
                id: plan
                run: berth plan --deepen --format github
              - name: Build and push
                if: github.event_name != 'pull_request'
                run: |
                  echo "${{ secrets.GITHUB_TOKEN }}" | berth build --images "ghcr.io/${{ github.repository }}" \\
                    --username "${{ github.actor }}" --password-stdin
              - name: Build (pull request, not pushed)
                if: github.event_name == 'pull_request'
                run: berth build --images "oci:$RUNNER_TEMP/image"
              - name: Tag the release
                if: github.event_name != 'pull_request' && steps.plan.outputs.new-version == 'true'
                run: |
                  git tag "${{ steps.plan.outputs.git-tag }}"
                  git push origin "${{ steps.plan.outputs.git-tag }}"

        """

    static let gitlabCI = """
        # berth: plan the version, build the image without a daemon and push it to the project's registry.
        # Needs Go in the job image; berth comes from its release archive.
        berth-build:
          stage: build
        \(BerthInstallScript.gitlabBeforeScript)
          script:
            - berth plan --deepen --format gitlab > berth.env  # a shallow clone, deepened just enough
            - echo "$CI_REGISTRY_PASSWORD" | berth build --images "$CI_REGISTRY_IMAGE" --username "$CI_REGISTRY_USER" --password-stdin
          artifacts:
            reports:
              dotenv: berth.env

        """
}
