/// docs/openapi.yaml, served at `/api/v1/openapi.yaml` (`ServerRoutesTests` keeps the two the same).
enum OpenAPIDocument {
    static let yaml = #"""
        openapi: 3.1.0
        info:
          title: berth serve
          version: 1.0.0
          description: >-
            The release board's JSON API. Every path is under the server's --base-path. Requests under /api/v1
            (except this document) need `Authorization: Bearer <token>` from `berth token create`; the role each
            operation needs is in its description. Under `berth serve --anonymous-read` the GET operations that need
            role viewer also answer without a token (as the viewer `anonymous`); under `--auth proxy` a trusted
            proxy's identity header stands for a token on reads (writes here still take bearer tokens). Refusals are
            `{"error": "..."}` with one line saying what to do.
        servers:
          - url: /
        security:
          - bearer: []
        paths:
          /healthz:
            get:
              summary: The process answers.
              security: []
              responses:
                "200":
                  description: ok
                  content:
                    text/plain:
                      schema: {type: string}
          /readyz:
            get:
              summary: The ledger answers a read.
              security: []
              responses:
                "200":
                  description: ready
                  content:
                    text/plain:
                      schema: {type: string}
                "503":
                  description: the ledger is unreachable (the reason is in the server's log)
                  content:
                    text/plain:
                      schema: {type: string}
          /metrics:
            get:
              summary: >-
                Prometheus's text format (role viewer): this process's requests by route pattern, method and
                status (berth_http_request_duration_seconds), and the ledger's events by kind and gate decisions
                by outcome (berth_ledger_events, berth_gate_decisions; the same on every replica).
              responses:
                "200":
                  description: the metrics
                  content:
                    text/plain:
                      schema: {type: string}
                "401": {$ref: "#/components/responses/Unauthorized"}
          /api/v1/openapi.yaml:
            get:
              summary: This document.
              security: []
              responses:
                "200":
                  description: the OpenAPI document
                  content:
                    application/yaml:
                      schema: {type: string}
          /api/v1/board:
            get:
              summary: One row per service, one cell per environment in promotion order (role viewer).
              responses:
                "200":
                  description: the board
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Board"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
          /api/v1/services/{name}/history:
            get:
              summary: A service's ledger events, newest first, a page at a time (role viewer).
              parameters:
                - name: name
                  in: path
                  required: true
                  description: The image repository, percent-encoded as one segment (registry.example%2Facme%2Fapi).
                  schema: {type: string}
                - {name: environment, in: query, schema: {type: string}}
                - {name: version, in: query, schema: {type: string}}
                - {name: digest, in: query, schema: {type: string}}
                - name: kind
                  in: query
                  description: Event kinds, comma-separated (docs/json.md lists them).
                  schema: {type: string}
                - name: limit
                  in: query
                  schema: {type: integer, minimum: 1, maximum: 500, default: 50}
                - name: before
                  in: query
                  description: Only events with a smaller id (the `next` of the previous page carries it).
                  schema: {type: integer, minimum: 1}
              responses:
                "200":
                  description: a page of events (none for a repository the ledger never recorded)
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/History"}
                "400": {$ref: "#/components/responses/BadRequest"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404":
                  description: an empty name, or the ledger's own records (berth:…, tokens and webhook deliveries), no service's
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Error"}
          /api/v1/diff:
            get:
              summary: >-
                Two cells of the board compared, or two versions or digests of one service (role viewer): versions,
                digests and commits of each, the commits moving from → to brings and takes away by Conventional
                Commits type (when the server runs in the project's git checkout; else `commitsUnavailable` says
                why), the image labels that differ (read from the image store; a side's `labelsUnavailable` says why
                not) and the findings per severity of each digest's newest gate decision, with the change. The page
                `/diff` takes the same query.
              parameters:
                - {name: repository, in: query, required: true, schema: {type: string}}
                - name: from
                  in: query
                  required: true
                  description: An environment (what it runs now), a version or a digest (sha256:…).
                  schema: {type: string}
                - name: to
                  in: query
                  required: true
                  description: The same, for the other side.
                  schema: {type: string}
              responses:
                "200":
                  description: the comparison
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Diff"}
                "400": {$ref: "#/components/responses/BadRequest"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404":
                  description: no such service, an environment that runs nothing, or a version or digest the ledger doesn't know
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Error"}
          /api/v1/approvals:
            post:
              summary: >-
                Approves a version for an environment, bound to the digest the caller was shown, as `berth approve`
                does (role approver, for that environment when the token is scoped to one). Bearer tokens only: a
                browser session approves through the board's form (POST /approve, same origin, with the page's CSRF
                token).
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: "#/components/schemas/ApprovalRequest"}
              responses:
                "200":
                  description: the gate passed or warned; nothing to approve
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/ApprovalResult"}
                "201":
                  description: approved and recorded with the token's name as the actor
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/ApprovalResult"}
                "400": {$ref: "#/components/responses/BadRequest"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "409":
                  description: the digest or the gate decision is another now, or the gate blocked the release
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Error"}
                "422":
                  description: bad input data (not a version)
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Error"}
                "502":
                  description: no gate decision is recorded, or the ledger failed
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Error"}
          /api/v1/promotions:
            post:
              summary: >-
                Promotes a version into an environment, retagging the digest the caller was shown, as `berth promote`
                does: the promotion order, gates, approvals, bad marks and signature requirements decide (role
                promoter, for that environment when the token is scoped to one; bearer tokens only). Environments
                with a berth.yaml `deploy:` are refused: promote those with the CLI, which deploys too.
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: "#/components/schemas/PromotionRequest"}
              responses:
                "200":
                  description: the environment already ran that digest; nothing changed
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/PromotionResult"}
                "201":
                  description: promoted and recorded with the token's name as the actor
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/PromotionResult"}
                "400": {$ref: "#/components/responses/BadRequest"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "409":
                  description: >-
                    the digest is another now, a gate, approval, bad mark or the promotion order says no, another run
                    won the race, or the environment deploys
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Error"}
                "501":
                  description: this server doesn't promote
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Error"}
          /api/v1/rollbacks:
            post:
              summary: >-
                Rolls an environment back as `berth rollback` does: to `to`, else the newest earlier release that
                passed its gates and isn't bad; the release running now is marked bad there. Bound to the digest the
                caller saw running (`from`). With `?plan=true` it only answers what would happen (role viewer);
                otherwise role promoter for that environment, bearer tokens only. Environments with a berth.yaml
                `deploy:` are refused: roll those back with the CLI, which deploys too.
              parameters:
                - name: plan
                  in: query
                  schema: {type: boolean, default: false}
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: "#/components/schemas/RollbackRequest"}
              responses:
                "200":
                  description: the plan (`?plan=true`); nothing changed
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/RollbackResult"}
                "201":
                  description: rolled back and recorded with the token's name as the actor
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/RollbackResult"}
                "400": {$ref: "#/components/responses/BadRequest"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "409":
                  description: another digest runs there now, no earlier release qualifies, another run won, or the environment deploys
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Error"}
                "501":
                  description: this server doesn't roll back
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Error"}
          /api/v1/events:
            get:
              summary: >-
                The ledger as server-sent events (`text/event-stream`, role viewer; a session cookie works, so the
                board's script subscribes with it). Each stream reads the ledger for the events after the last id it
                sent, so any replica on the same ledger serves any client. Messages: `event: ledger` with the event
                as JSON in `data:` and the ledger's event id in `id:`; a bare `id:` for events the board doesn't show
                (tokens); `event: reset` when more than a batch (200) came since the last id (reload the board);
                `event: revoked` when the subscriber's token was revoked (the stream ends). Comments (`: heartbeat`)
                while quiet. The server ends each stream after about 25 s or at shutdown; `EventSource` reconnects
                with `Last-Event-ID` and misses nothing.
              parameters:
                - name: Last-Event-ID
                  in: header
                  required: false
                  description: the id of the last event seen; absent, the stream starts at the newest event
                  schema: {type: integer, minimum: 0}
                - name: after
                  in: query
                  required: false
                  description: the same as Last-Event-ID, for clients that can't set headers
                  schema: {type: integer, minimum: 0}
              responses:
                "200":
                  description: the stream
                  content:
                    text/event-stream:
                      schema: {type: string}
                "400": {$ref: "#/components/responses/BadRequest"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
          /api/v1/holds:
            get:
              summary: The holds in force on a service (role viewer).
              parameters:
                - name: repository
                  in: query
                  required: true
                  schema: {type: string}
              responses:
                "200":
                  description: the holds, oldest first
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Holds"}
                "400": {$ref: "#/components/responses/BadRequest"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
            post:
              summary: >-
                Holds an environment (no promotion into it) or a version (no promotion of its digest anywhere) until
                it is released, as `berth hold` does, recorded as a `held` event with the token's name and the reason
                (role promoter for that environment; a version hold needs a token not scoped to one environment;
                bearer tokens only). Promotions it stops are refused with 409, forced or not.
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: "#/components/schemas/HoldRequest"}
              responses:
                "200":
                  description: held already; nothing recorded
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/HoldResult"}
                "201":
                  description: held
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/HoldResult"}
                "400": {$ref: "#/components/responses/BadRequest"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "409":
                  description: another run changed the hold at the same time
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Error"}
          /api/v1/holds/release:
            post:
              summary: >-
                Releases a hold, as `berth unhold` does (`unheld`, with the token's name and the reason; the same
                roles as holding).
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: "#/components/schemas/HoldRequest"}
              responses:
                "200":
                  description: not held; nothing recorded
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/HoldResult"}
                "201":
                  description: released
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/HoldResult"}
                "400": {$ref: "#/components/responses/BadRequest"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
          /api/v1/bad-marks:
            post:
              summary: >-
                Marks the digest the caller was shown running in an environment bad (`marked-bad`, once per digest and
                environment, with the token's name): no later promotion or rollback brings it back without the CLI's
                `--force` (role promoter for that environment; bearer tokens only).
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: "#/components/schemas/BadMarkRequest"}
              responses:
                "200":
                  description: marked bad before; the earlier mark
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/BadMarkResult"}
                "201":
                  description: marked bad
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/BadMarkResult"}
                "400": {$ref: "#/components/responses/BadRequest"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "409":
                  description: the version ran as another digest there than the one shown
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Error"}
                "502":
                  description: the version never ran in that environment
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Error"}
          /webhooks/{receiver}:
            post:
              summary: >-
                A registry webhook for the berth.yaml receiver `receiver` (server.webhooks.receivers): Docker
                Distribution notifications, Harbor (Default or CloudEvents; 2.x and 1.x event names), GitHub `package`
                events. No berth token: Distribution and Harbor send the receiver's configured `Authorization` value,
                GitHub signs the raw body (`X-Hub-Signature-256`, HMAC-SHA256 under the webhook secret); both are checked
                before the body is parsed. The delivery is recorded once (`webhook-received`: body SHA-256, headers with
                credentials redacted) and answered at once; berth verifies what it reports against the registry
                afterwards, one check per image in the coalescing window.
              security: []
              parameters:
                - name: receiver
                  in: path
                  required: true
                  schema: {type: string}
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {type: object}
              responses:
                "200":
                  description: this delivery was already recorded (a retry or a replay); nothing changed
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/WebhookReceipt"}
                "202":
                  description: recorded (`accepted`), or reports nothing berth uses (`ignored`, not recorded)
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/WebhookReceipt"}
                "400": {$ref: "#/components/responses/BadRequest"}
                "401":
                  description: the Authorization value or the signature doesn't match; nothing recorded
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Error"}
                "404":
                  description: no receiver of that name
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Error"}
                "413":
                  description: the body is over server.webhooks.max_body_bytes; nothing recorded
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Error"}
                "422":
                  description: an event type berth doesn't know; nothing recorded
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Error"}
          /api/v1/tokens:
            get:
              summary: >-
                Every access token, oldest first, with its state; never a secret or its hash. Role admin for every
                environment (an admin scoped to one gets 403).
              responses:
                "200":
                  description: the tokens
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/TokenList"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
            post:
              summary: >-
                Creates a token as `berth token create` does (a `token-created` event with the caller as actor; only the
                secret's SHA-256 is recorded). The secret is in this response's `token`, once: it is never shown again,
                logged or listed. Role admin for every environment; bearer tokens only.
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: "#/components/schemas/TokenRequest"}
              responses:
                "201":
                  description: created; `token` holds the secret
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Token"}
                "400": {$ref: "#/components/responses/BadRequest"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
          /api/v1/tokens/{id}:
            delete:
              summary: >-
                Revokes token `id` as `berth token revoke` does (a `token-revoked` event with the caller as actor); its
                sessions and event streams end at once. Revoking a revoked token changes nothing. Role admin for every
                environment; bearer tokens only.
              parameters:
                - name: id
                  in: path
                  required: true
                  schema: {type: string, pattern: "^[0-9a-f]{12}$"}
              responses:
                "200":
                  description: revoked (now or before)
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Token"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404":
                  description: no such token
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Error"}
          /api/v1/webhooks/deliveries:
            get:
              summary: The newest webhook deliveries, with what verification found for each. Role admin.
              parameters:
                - name: limit
                  in: query
                  schema: {type: integer, minimum: 1, maximum: 500, default: 50}
              responses:
                "200":
                  description: newest first
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/WebhookDeliveries"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
          /api/v1/webhooks/deliveries/{id}/replay:
            post:
              summary: >-
                Verifies delivery `id` (its ledger event number) against the registry again, now, past its coalescing
                window; a Harbor scan's gate decision is still recorded once per report. Role admin, bearer tokens only.
              parameters:
                - name: id
                  in: path
                  required: true
                  schema: {type: integer}
              responses:
                "200":
                  description: what the registry showed
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/WebhookReplay"}
                "400": {$ref: "#/components/responses/BadRequest"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404":
                  description: no such delivery
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Error"}
        components:
          securitySchemes:
            bearer:
              type: http
              scheme: bearer
              description: A token from `berth token create` (berth_<id>_<secret>).
          responses:
            BadRequest:
              description: the request is malformed
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/Error"}
            Unauthorized:
              description: no token, or one that is unknown, revoked or expired
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/Error"}
            Forbidden:
              description: the token's role (or environment) doesn't allow it
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/Error"}
          schemas:
            Error:
              type: object
              required: [error]
              properties:
                error: {type: string}
            Board:
              type: object
              required: [time, environments, services]
              properties:
                time: {type: string, format: date-time}
                environments:
                  type: array
                  description: The columns, in promotion order.
                  items: {type: string}
                services:
                  type: array
                  items:
                    type: object
                    required: [repository, cells]
                    properties:
                      repository: {type: string}
                      cells:
                        type: array
                        description: One per environment, in the order of `environments`.
                        items: {$ref: "#/components/schemas/Cell"}
            Cell:
              type: object
              required: [environment, approvals, badMarks]
              description: Without version, digest and the rest when nothing was promoted there.
              properties:
                environment: {type: string}
                version: {type: string}
                digest: {type: string}
                since: {type: string, format: date-time}
                ageSeconds: {type: integer}
                event: {type: string, description: "promoted, deployed or rolled-back"}
                eventID: {type: integer}
                actor: {type: string}
                gate: {$ref: "#/components/schemas/Gate"}
                approvals:
                  type: array
                  items: {$ref: "#/components/schemas/Approval"}
                badMarks:
                  type: array
                  items:
                    type: object
                    required: [reason]
                    properties:
                      reason: {type: string}
                      event: {type: integer}
                next:
                  $ref: "#/components/schemas/Candidate"
                holds:
                  type: array
                  description: holds in force on the environment or on the digest it runs
                  items: {$ref: "#/components/schemas/Hold"}
                canary: {$ref: "#/components/schemas/Canary"}
            Candidate:
              type: object
              description: >-
                The cell's digest as a candidate for the next environment (absent in the last column and in an
                empty cell): the gate decision that applies there and the approvals of that decision that hold.
              required: [environment, approvals, awaitsApproval]
              properties:
                environment: {type: string}
                gate: {$ref: "#/components/schemas/Gate"}
                approvals:
                  type: array
                  items: {$ref: "#/components/schemas/Approval"}
                awaitsApproval: {type: boolean, description: "The gate there needs an approval no one has given yet."}
                holds:
                  type: array
                  description: holds that stop the promotion there (the environment's and the digest's)
                  items: {$ref: "#/components/schemas/Hold"}
            Gate:
              type: object
              required: [outcome, counts, reasons]
              properties:
                outcome: {type: string, enum: [pass, warn, needs-approval, block]}
                counts:
                  type: object
                  additionalProperties: {type: integer}
                reasons:
                  type: array
                  items: {type: string}
                event: {type: integer}
            Approval:
              type: object
              required: [reason]
              properties:
                actor: {type: string}
                reason: {type: string}
                expires: {type: string, format: date-time}
                event: {type: integer}
            Event:
              type: object
              required: [kind, repository, actor, time, details]
              properties:
                id: {type: integer}
                kind: {type: string}
                repository: {type: string}
                version: {type: string}
                digest: {type: string}
                environment: {type: string}
                gitSHA: {type: string}
                actor: {type: string}
                time: {type: string, format: date-time}
                reason: {type: string}
                details:
                  type: object
                  additionalProperties: {type: string}
            History:
              type: object
              required: [repository, events]
              properties:
                repository: {type: string}
                events:
                  type: array
                  items: {$ref: "#/components/schemas/Event"}
                next:
                  type: string
                  description: The query string of the next, older page; absent on the last.
            Diff:
              type: object
              required: [repository, from, to, sameDigest, labels, vulnerabilities]
              properties:
                repository: {type: string}
                from: {$ref: "#/components/schemas/DiffSide"}
                to: {$ref: "#/components/schemas/DiffSide"}
                sameDigest: {type: boolean}
                commits:
                  type: object
                  description: Absent when `commitsUnavailable` says why.
                  required: [added, removed]
                  properties:
                    added:
                      type: array
                      description: Commits in `to` and not in `from`, by type (breaking changes first; Other last).
                      items: {$ref: "#/components/schemas/ChangelogSection"}
                    removed:
                      type: array
                      description: Commits in `from` and not in `to` (what a rollback to `to` takes away).
                      items: {$ref: "#/components/schemas/ChangelogSection"}
                commitsUnavailable: {type: string}
                labels:
                  type: array
                  description: The labels whose values differ (a side without one has no `from` or `to`).
                  items:
                    type: object
                    required: [key]
                    properties:
                      key: {type: string}
                      from: {type: string}
                      to: {type: string}
                vulnerabilities:
                  type: array
                  description: Every severity, most severe first; counts absent for a side never gated.
                  items:
                    type: object
                    required: [severity]
                    properties:
                      severity: {type: string, enum: [critical, high, medium, low, unknown]}
                      from: {type: integer}
                      to: {type: integer}
                      change: {type: integer}
            DiffSide:
              type: object
              required: [name]
              properties:
                name: {type: string, description: the environment, version or digest asked for}
                environment: {type: string}
                version: {type: string}
                digest: {type: string}
                gitSHA: {type: string}
                labels:
                  type: object
                  additionalProperties: {type: string}
                labelsUnavailable: {type: string}
                gate: {$ref: "#/components/schemas/Gate"}
            ChangelogSection:
              type: object
              required: [title, entries]
              properties:
                title: {type: string}
                entries:
                  type: array
                  items: {type: string}
            ApprovalRequest:
              type: object
              required: [repository, version, environment, digest, reason]
              properties:
                repository: {type: string}
                version: {type: string}
                environment: {type: string}
                digest: {type: string, description: "The digest the caller was shown (sha256:…)"}
                gate: {type: integer, description: "The gate event the caller was shown; refused (409) if a newer decision replaced it"}
                reason: {type: string, maxLength: 4096}
                expires: {type: string, description: "How long it holds: 90m, 12h, 7d"}
            PromotionRequest:
              type: object
              required: [repository, version, environment, digest]
              properties:
                repository: {type: string}
                version: {type: string}
                environment: {type: string}
                digest: {type: string, description: "The digest the caller was shown (sha256:…)"}
                reason: {type: string, maxLength: 4096}
            PromotionResult:
              type: object
              required: [status, repository, version, environment, digest]
              properties:
                status: {type: string, enum: [promoted, already]}
                repository: {type: string}
                version: {type: string}
                environment: {type: string}
                digest: {type: string}
                event: {type: integer}
                actor: {type: string}
            RollbackRequest:
              type: object
              required: [repository, environment, from, reason]
              properties:
                repository: {type: string}
                environment: {type: string}
                from: {type: string, description: "The digest the caller saw running there (sha256:…)"}
                to: {type: string, description: "The version to return to"}
                reason: {type: string, maxLength: 4096}
            RollbackResult:
              type: object
              required: [status, repository, environment, fromDigest, toVersion, toDigest, tags, clearance]
              properties:
                status: {type: string, enum: [plan, rolled-back]}
                repository: {type: string}
                environment: {type: string}
                fromVersion: {type: string}
                fromDigest: {type: string}
                toVersion: {type: string}
                toDigest: {type: string}
                tags:
                  type: array
                  items: {type: string}
                clearance: {type: string}
                event: {type: integer}
                actor: {type: string}
            ApprovalResult:
              type: object
              required: [status, repository, version, environment, digest]
              properties:
                status: {type: string, enum: [approved, not-needed]}
                repository: {type: string}
                version: {type: string}
                environment: {type: string}
                digest: {type: string}
                gate: {type: integer}
                event: {type: integer}
                actor: {type: string}
            WebhookReceipt:
              type: object
              required: [status, events]
              properties:
                status: {type: string, enum: [accepted, duplicate, ignored]}
                delivery: {type: string, description: "the sender's delivery id, else the body's sha256"}
                event: {type: integer, description: the webhook-received ledger event}
                events: {type: integer, description: registry events it reported}
            WebhookDeliveries:
              type: object
              required: [deliveries]
              properties:
                deliveries:
                  type: array
                  items:
                    type: object
                    required: [receiver, source, delivery, type, bodySHA256, bodySize, headers, events, verifications]
                    properties:
                      id: {type: integer}
                      time: {type: string}
                      receiver: {type: string}
                      source: {type: string, enum: [distribution, harbor, github]}
                      delivery: {type: string}
                      type: {type: string}
                      bodySHA256: {type: string}
                      bodySize: {type: integer}
                      headers: {type: array, items: {type: string}, description: "name: value, credentials as <redacted>"}
                      events: {type: array, items: {type: string}}
                      verifications: {type: array, items: {type: string}}
            WebhookReplay:
              type: object
              required: [delivery, verified, failures, drift, gates]
              properties:
                delivery: {type: integer}
                verified: {type: array, items: {type: string}}
                failures: {type: array, items: {type: string}}
                drift: {type: array, items: {type: string}}
                gates: {type: array, items: {type: integer}, description: gate-evaluated events recorded}
            Hold:
              type: object
              required: [scope, repository, reason, actor, since]
              properties:
                scope: {type: string, enum: [environment, digest]}
                repository: {type: string}
                environment: {type: string}
                version: {type: string}
                digest: {type: string}
                reason: {type: string}
                actor: {type: string}
                since: {type: string, format: date-time}
                event: {type: integer}
            Holds:
              type: object
              required: [repository, holds]
              properties:
                repository: {type: string}
                holds: {type: array, items: {$ref: "#/components/schemas/Hold"}}
            HoldRequest:
              type: object
              required: [repository, reason]
              description: exactly one of environment and version
              properties:
                repository: {type: string}
                environment: {type: string}
                version: {type: string}
                reason: {type: string}
            HoldResult:
              type: object
              required: [status]
              properties:
                status: {type: string, enum: [held, already-held, released, not-held]}
                hold: {$ref: "#/components/schemas/Hold"}
                event: {type: integer}
                actor: {type: string}
            BadMarkRequest:
              type: object
              required: [repository, version, environment, digest, reason]
              properties:
                repository: {type: string}
                version: {type: string}
                environment: {type: string}
                digest: {type: string, description: "the digest the caller was shown running there"}
                reason: {type: string}
            BadMarkResult:
              type: object
              required: [status, repository, environment, digest, reason]
              properties:
                status: {type: string, enum: [marked-bad, already]}
                repository: {type: string}
                version: {type: string}
                environment: {type: string}
                digest: {type: string}
                reason: {type: string}
                event: {type: integer}
                actor: {type: string}
            TokenRequest:
              type: object
              required: [role]
              properties:
                role: {type: string, enum: [viewer, approver, promoter, admin]}
                name: {type: string, description: "who holds it, the actor of what it does (default: token-ID)"}
                environment: {type: string, description: the one environment it may change (default all)}
                expires: {type: string, description: "how long it holds: 12h, 90d (default: until revoked)"}
            Token:
              type: object
              required: [id, name, role, created, createdBy, state]
              properties:
                id: {type: string}
                name: {type: string}
                role: {type: string, enum: [viewer, approver, promoter, admin]}
                environment: {type: string}
                created: {type: string, format: date-time}
                createdBy: {type: string}
                expires: {type: string, format: date-time}
                revoked: {type: string, format: date-time}
                state: {type: string, enum: [active, expired, revoked]}
                token: {type: string, description: "the secret (berth_<id>_<secret>); only in the answer that created it"}
            TokenList:
              type: object
              required: [tokens]
              properties:
                tokens:
                  type: array
                  items: {$ref: "#/components/schemas/Token"}
            Canary:
              type: object
              required: [phase, version, digest, weight, step, event]
              properties:
                phase: {type: string, enum: [progressing, paused, promoted, aborted]}
                version: {type: string}
                digest: {type: string}
                weight: {type: integer, description: percent of the traffic the canary gets}
                step: {type: integer}
                reason: {type: string, description: why it paused or was aborted}
                event: {type: integer}

        """#
}
