FROM golang:1.22 AS build
RUN go build -o /app .
FROM alpine
LABEL version=$VERSION
COPY --from=build /app /app
USER root
