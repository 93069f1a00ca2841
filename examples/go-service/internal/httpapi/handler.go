// Package httpapi exposes the service's HTTP endpoints.
package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"

	"example.com/go-service/internal/greet"
)

// NewHandler returns the service's HTTP handler. version is reported by
// the /healthz endpoint.
func NewHandler(version string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if !allowGet(w, r) {
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": version})
	})
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		if !allowGet(w, r) {
			return
		}
		msg, err := greet.Message(r.URL.Query().Get("name"))
		if errors.Is(err, greet.ErrNameTooLong) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		} else if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"message": msg})
	})
	return mux
}

// allowGet rejects anything but GET and HEAD with 405.
func allowGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
