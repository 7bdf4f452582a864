/// The files `berth init` writes: a commented berth.yaml and CI definitions that call berth.
enum InitTemplates {
    static let berthYAML = """
        # berth.yaml: how berth versions, tags and labels this service.
        # Every key is optional; the values below are the defaults. Reference: docs/configuration.md

        version:
          tag_prefix: v            # release tags in git are v1.2.3 (monorepo: api/v)
          initial: 0.1.0           # the first release when no tag exists yet
          # path: services/api     # count only commits touching this directory
          bumps:                   # Conventional Commits type -> major | minor | patch | none
            feat: minor
            fix: patch
          breaking_below_1: minor  # a breaking change before 1.0.0 bumps the minor
          # default_branch: main   # detected from CI or origin/HEAD when unset
          channels:                # first match wins; the default branch always releases
            - branch: develop
              prerelease: dev      # 1.3.0-dev.N
            - branch: release/*
              prerelease: rc       # 1.3.0-rc.N
            - branch: rc/*
              prerelease: rc

        image:
          names: []                # e.g. [ghcr.io/acme/api]
          tag_prefix: v            # the v in image tag v1.2.3 ("" for 1.2.3)
          build_metadata: hyphen   # 1.2.3+b5 -> 1.2.3-b5 (hyphen), 1.2.3 (drop) or an error (refuse)
          # templates:             # berth's tag templates per channel (see docs/configuration.md)
          #   release: ["{{prefix}}{{version}}", "{{prefix}}{{major}}.{{minor}}", "{{prefix}}{{major}}", latest, "sha-{{sha}}"]
          # metadata_action:       # or docker/metadata-action's own lines, verbatim
          #   tags: |
          #     type=semver,pattern={{version}}
          #     type=ref,event=branch
          #   flavor: |
          #     latest=auto

        environments:              # promotion order and naming rules
          - name: dev
          - name: staging
          - name: prod
            require_final: true    # only final SemVer releases
            # pattern: '^v\\d+\\.\\d+\\.\\d+$|^latest$|^v\\d+(\\.\\d+)?$|^sha-[0-9a-f]{7}$'

        labels: {}                 # title, description, url, source, documentation, authors, vendor, licenses

        go:
          package: main            # where -X injects Version, Commit and BuildDate
          strip: true              # -s -w

        """

    static let githubWorkflow = """
        # Release: plan the version with berth, build and push the image with its tags and labels,
        # then push the git tag. berth comes from its release archive, checksum verified: set the
        # repository variables BERTH_VERSION and BERTH_RELEASES.
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
        \(BerthInstallScript.githubStep)
              - name: Plan
                id: plan
                run: berth plan --deepen --format github
              - uses: docker/login-action@v4
                if: github.event_name != 'pull_request'
                with:
                  registry: ghcr.io
                  username: ${{ github.actor }}
                  password: ${{ secrets.GITHUB_TOKEN }}
              - uses: docker/build-push-action@v7
                with:
                  push: ${{ github.event_name != 'pull_request' }}
                  tags: ${{ steps.plan.outputs.tags }}
                  labels: ${{ steps.plan.outputs.labels }}
                  build-args: ${{ steps.plan.outputs.build-args }}
              - name: Tag the release
                if: github.event_name != 'pull_request' && steps.plan.outputs.new-version == 'true'
                run: |
                  git tag "${{ steps.plan.outputs.git-tag }}"
                  git push origin "${{ steps.plan.outputs.git-tag }}"

        """

    static let gitlabCI = """
        # berth: plan the version, tags and labels; later jobs read them from the dotenv report.
        berth-plan:
          stage: .pre
        \(BerthInstallScript.gitlabBeforeScript)
          script:
            - berth plan --deepen --format gitlab > berth.env  # a shallow clone, deepened just enough
          artifacts:
            reports:
              dotenv: berth.env

        """
}
