package server

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/syncwire"
)

// MaxChangeBytes is the most JSON one pushed change may take. The store keeps bodies
// of at most store.MaxBodyBytes, compacted: twice that leaves room for the other
// fields and for whitespace, and refuses early a change that could never be kept.
const MaxChangeBytes = 2 * store.MaxBodyBytes

// body returns the body of r, gzip-decompressed if it is, cut at MaxBody bytes both
// before and after decompression: a small gzip bomb stops at MaxBody too. It has
// written the error answer when it returns false.
func (s *Server) body(w http.ResponseWriter, r *http.Request) (io.Reader, bool) {
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBody)
	switch enc := r.Header.Get("Content-Encoding"); enc {
	case "", "identity":
		return body, true
	case "gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, s.badBody(w, r, err)
		}
		// Never closed: its Close frees nothing, and reading to the end checks the sum.
		return http.MaxBytesReader(w, io.NopCloser(zr), s.cfg.MaxBody), true
	default:
		s.fail(w, r, http.StatusUnsupportedMediaType, syncwire.ErrCodeInvalid, "unsupported Content-Encoding "+enc, nil)
		return nil, false
	}
}

// decodePush reads a push request as a stream, one change at a time, and stops at
// the first change past MaxChanges or larger than MaxChangeBytes: what it holds is
// never more than the changes it may take. It has written the error answer when it
// returns false.
func (s *Server) decodePush(w http.ResponseWriter, r *http.Request) ([]syncwire.Change, bool) {
	body, ok := s.body(w, r)
	if !ok {
		return nil, false
	}
	win := &window{r: body, max: MaxChangeBytes}
	dec := json.NewDecoder(win)
	changes, err := s.readPush(dec, win)
	if err == nil {
		// The end of the data, where a gzip checksum is checked too.
		if _, err = dec.Token(); err == io.EOF {
			return changes, true
		}
		if err == nil {
			err = errors.New("data after the JSON value")
		}
	}
	if errors.Is(err, errTooMany) || errors.Is(err, errChangeTooLarge) {
		// Read to the end, at most MaxBody bytes as sent and none of it kept, so that
		// a client still sending gets the 413 and splits its batch, rather than a
		// broken connection that it would retry as it is.
		io.CopyN(io.Discard, r.Body, s.cfg.MaxBody) // an error ends the request all the same
	}
	switch {
	case errors.Is(err, errTooMany):
		s.fail(w, r, http.StatusRequestEntityTooLarge, syncwire.ErrCodeTooLarge,
			fmt.Sprintf("a push carries at most %d changes; send the rest in another", s.cfg.MaxChanges), nil)
	case errors.Is(err, errChangeTooLarge):
		s.fail(w, r, http.StatusRequestEntityTooLarge, syncwire.ErrCodeTooLarge,
			fmt.Sprintf("change %d of the push is larger than %d bytes of JSON", len(changes)+1, MaxChangeBytes), nil)
	default:
		s.badBody(w, r, err)
	}
	return nil, false
}

// readPush reads {"changes": [...]} from dec, each value within the window. As
// encoding/json would, it matches the name in any case, lets a repeated one replace
// the earlier, takes null for no changes and skips other names. On an error, the
// changes are those read before it.
func (s *Server) readPush(dec *json.Decoder, win *window) ([]syncwire.Change, error) {
	if err := expect(dec, '{'); err != nil {
		return nil, err
	}
	var changes []syncwire.Change
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return changes, err
		}
		win.mark(dec.InputOffset())
		if name, _ := t.(string); !strings.EqualFold(name, "changes") {
			if err := dec.Decode(new(json.RawMessage)); err != nil {
				return changes, err
			}
			continue
		}
		t, err = dec.Token()
		if err != nil {
			return changes, err
		}
		if t == nil {
			changes = nil
			continue
		}
		if t != json.Delim('[') {
			return changes, fmt.Errorf("changes is %v, not an array", t)
		}
		changes = changes[:0]
		for dec.More() {
			if len(changes) == s.cfg.MaxChanges {
				return changes, errTooMany
			}
			win.mark(dec.InputOffset())
			var c syncwire.Change
			if err := dec.Decode(&c); err != nil {
				return changes, err
			}
			changes = append(changes, c)
		}
		if err := expect(dec, ']'); err != nil {
			return changes, err
		}
	}
	return changes, expect(dec, '}')
}

// expect reads the delimiter d from dec.
func expect(dec *json.Decoder, d json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t != d {
		return fmt.Errorf("found %v where %v was expected", t, d)
	}
	return nil
}

var (
	errTooMany        = errors.New("too many changes")
	errChangeTooLarge = errors.New("change too large")
)

// window lets a json.Decoder read at most max bytes past a mark, the offset where the
// value being decoded starts: the decoder buffers a whole value before decoding it.
type window struct {
	r     io.Reader
	read  int64 // bytes read so far
	start int64
	max   int64
}

func (w *window) mark(offset int64) { w.start = offset }

func (w *window) Read(p []byte) (int, error) {
	room := w.start + w.max - w.read
	if room <= 0 {
		return 0, errChangeTooLarge
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := w.r.Read(p)
	w.read += int64(n)
	return n, err
}
