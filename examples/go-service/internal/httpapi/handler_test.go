package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(NewHandler("v1.2.3"))
	defer srv.Close()

	tests := []struct {
		name       string
		method     string
		path       string
		wantStatus int
		wantBody   map[string]string
	}{
		{"healthz", http.MethodGet, "/healthz", http.StatusOK, map[string]string{"status": "ok", "version": "v1.2.3"}},
		{"hello default", http.MethodGet, "/hello", http.StatusOK, map[string]string{"message": "Hello, world!"}},
		{"hello name", http.MethodGet, "/hello?name=Ada", http.StatusOK, map[string]string{"message": "Hello, Ada!"}},
		{"hello escaped", http.MethodGet, "/hello?name=Zo%C3%AB%20", http.StatusOK, map[string]string{"message": "Hello, Zoë!"}},
		{"hello too long", http.MethodGet, "/hello?name=" + strings.Repeat("x", 65), http.StatusBadRequest, map[string]string{"error": "greet: name too long"}},
		{"wrong method", http.MethodPost, "/hello", http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"}},
		{"not found", http.MethodGet, "/nope", http.StatusNotFound, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantBody == nil {
				return
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			var got map[string]string
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatalf("decode body: %v", err)
			}
			if len(got) != len(tt.wantBody) {
				t.Fatalf("body = %v, want %v", got, tt.wantBody)
			}
			for k, v := range tt.wantBody {
				if got[k] != v {
					t.Errorf("body[%q] = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}
