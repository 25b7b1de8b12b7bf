package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// serveMetrics serves the metrics handler h at /metrics on addr, apart from the API,
// until the returned function is called, and returns its URL. With addr "off" it
// serves nothing and the URL is "".
func serveMetrics(addr string, h http.Handler, log *slog.Logger) (url string, stop func(), err error) {
	if addr == "off" || addr == "" {
		return "", func() {}, nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("listen for metrics (give another --metrics-addr, or off): %w", err)
	}
	if ip := l.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		log.Warn("metrics served on a non-loopback address: let only the monitoring reach it", "addr", l.Addr().String())
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	hs := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      30 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := hs.Serve(l); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "err", err)
		}
	}()
	return "http://" + l.Addr().String() + "/metrics", func() { hs.Close() }, nil
}
