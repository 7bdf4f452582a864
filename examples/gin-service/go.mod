module example.com/gin-service

go 1.19

require (
	github.com/gin-gonic/gin v1.8.1
	github.com/prometheus/client_golang v1.14.0
)
