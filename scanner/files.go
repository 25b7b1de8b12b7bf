package scanner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/merci-loyalty/merci/cards"
)

// FileResult is what ScanFiles found in one file, as written with --json.
type FileResult struct {
	File  string   `json:"file"`
	Codes []string `json:"codes"`           // the QR codes' texts; empty when none was found
	Error string   `json:"error,omitempty"` // why the file could not be read
}

// ScanFiles decodes the QR codes in each image file (PNG or JPEG) and writes one line per
// file to w: "FILE: TEXT (Merci card CODE)", "FILE: TEXT (not a Merci card)", "FILE: no QR
// code found" or "FILE: error: ...", the texts of several codes separated by "; ". With
// asJSON each line is a FileResult in JSON.
// It returns an error if w fails or if some files could not be read; the lines of the
// other files are written all the same.
func ScanFiles(ctx context.Context, w io.Writer, files []string, asJSON bool) error {
	dec := NewDecoder(0)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	failed := 0
	for _, file := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		res := FileResult{File: file, Codes: []string{}}
		img, err := ReadImage(file)
		if err != nil {
			failed++
			res.Error = err.Error()
		} else if texts, err := dec.DecodeAll(img); err == nil {
			res.Codes = texts
		} else if !errors.Is(err, ErrNoCode) {
			failed++
			res.Error = err.Error()
		}
		if asJSON {
			err = enc.Encode(res)
		} else {
			_, err = fmt.Fprintln(w, res.line())
		}
		if err != nil {
			return fmt.Errorf("write scan result: %w", err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("scan: %d of %d files could not be read", failed, len(files))
	}
	return nil
}

func (r FileResult) line() string {
	switch {
	case r.Error != "":
		return r.File + ": error: " + r.Error
	case len(r.Codes) == 0:
		return r.File + ": " + ErrNoCode.Error()
	}
	found := make([]string, len(r.Codes))
	for i, text := range r.Codes {
		if code, err := cards.ParsePayload(text); err == nil {
			found[i] = fmt.Sprintf("%q (Merci card %s)", text, code)
		} else {
			found[i] = fmt.Sprintf("%q (%s)", text, cards.ErrNotMerciCard)
		}
	}
	return r.File + ": " + strings.Join(found, "; ")
}
