// Package version holds the build facts berth injects with -ldflags -X, and serves them.
package version

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Set at build time: -X example.com/gin-service/internal/version.Version=1.2.3 (and Commit, BuildDate).
var (
	Version   = "dev"
	Commit    = "none"
	BuildDate = "unknown"
)

// Info is what GET /version returns.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	BuildDate string `json:"buildDate"`
}

// Current returns the injected build facts.
func Current() Info { return Info{Version: Version, Commit: Commit, BuildDate: BuildDate} }

// Handler serves Current as JSON: router.GET("/version", version.Handler).
func Handler(c *gin.Context) { c.JSON(http.StatusOK, Current()) }
