package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// createPrivate creates the file at path, empty and readable by its owner only, if it
// does not exist. SQLite gives its -wal and -shm files the mode of the database file,
// so they are private too. A file that exists keeps its mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return f.Close()
}
