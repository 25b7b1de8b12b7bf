package store

import (
	"bytes"
	"encoding/json"

	"github.com/merci-loyalty/merci/syncwire"
)

// retryHash is the hash that tells a retry of c from a different change reusing its
// id. It is taken over the body's parsed fields, not its bytes: a client that encodes
// the same change again with its keys in another order, other white space or other
// string escapes is retrying it, not changing it. body is c's body as canonical
// returns it; valid says whether it is JSON.
func retryHash(c syncwire.Change, body string, valid bool) string {
	if valid {
		if canon, err := canonicalJSON([]byte(body)); err == nil {
			body = string(canon)
		}
	}
	return contentHash(c, body)
}

// contentHash hashes c's type and key with body. Changes pushed before retryHash
// were kept under contentHash of their compact body: a retry with the same bytes is
// still known by it.
func contentHash(c syncwire.Change, body string) string {
	return hashHex(c.Type + "\x00" + c.Key + "\x00" + body)
}

// canonicalJSON encodes the JSON value b again with its object keys sorted, no white
// space, strings escaped one way and numbers kept as written (1.0 stays 1.0: a
// number's text is what the client meant). Of a key given twice, the last counts, as
// when the body is decoded.
func canonicalJSON(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}
