package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Target is the store of backups: a directory or an S3 bucket. Object
// names are slash-separated paths relative to the target, such as
// "20261205T010000Z/manifest.json".
type Target interface {
	// Put stores the object, replacing one of the same name. size is the
	// body's length, or -1 when unknown.
	Put(ctx context.Context, name string, body io.Reader, size int64) error
	// Get opens an object. A missing object gives an error wrapping
	// fs.ErrNotExist.
	Get(ctx context.Context, name string) (io.ReadCloser, error)
	// List returns the names of every object, sorted.
	List(ctx context.Context) ([]string, error)
	// Delete removes an object; a missing one is no error.
	Delete(ctx context.Context, name string) error
	// String names the target in messages, without credentials.
	String() string
}

// ParseTarget opens the target that location names: file:///dir (or a
// plain directory path) or s3://bucket/prefix, the latter with the S3
// settings in s3.
func ParseTarget(location string, s3 S3Config) (Target, error) {
	if location == "" {
		return nil, errors.New("missing backup target: set REELPULSE_BACKUP_TARGET or pass --to/--from, e.g. s3://bucket/reelpulse or file:///var/backups/reelpulse")
	}
	u, err := url.Parse(location)
	if err != nil || u.Scheme == "" {
		return NewDirTarget(location)
	}
	if u.User != nil {
		return nil, fmt.Errorf("invalid backup target %q: remove the credentials from the URL and set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead", u.Redacted())
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("invalid backup target %q: a file URL names a local directory, e.g. file:///var/backups/reelpulse", location)
		}
		return NewDirTarget(u.Path)
	case "s3":
		if u.Host == "" {
			return nil, fmt.Errorf("invalid backup target %q: name the bucket, e.g. s3://my-bucket/reelpulse", location)
		}
		return NewS3Target(u.Host, strings.Trim(u.Path, "/"), s3)
	}
	return nil, fmt.Errorf("invalid backup target %q: use s3://bucket/prefix or file:///directory", location)
}

// DirTarget keeps backups in a local directory.
type DirTarget struct {
	dir string
}

// NewDirTarget returns the target of dir, creating it when missing.
func NewDirTarget(dir string) (*DirTarget, error) {
	if dir == "" {
		return nil, errors.New("invalid backup directory: the path is empty")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create backup directory: %w", err)
	}
	return &DirTarget{dir: dir}, nil
}

func (d *DirTarget) String() string { return "file://" + filepath.ToSlash(d.dir) }

// path returns the file of an object, refusing names that would leave the
// directory.
func (d *DirTarget) path(name string) (string, error) {
	clean := path.Clean(name)
	if clean != name || !fs.ValidPath(name) {
		return "", fmt.Errorf("invalid object name %q", name)
	}
	return filepath.Join(d.dir, filepath.FromSlash(name)), nil
}

// Put writes the object to a temporary file and renames it, so that a
// reader never sees half an object.
func (d *DirTarget) Put(_ context.Context, name string, body io.Reader, _ int64) error {
	file, err := d.path(name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".put-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, body); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

func (d *DirTarget) Get(_ context.Context, name string) (io.ReadCloser, error) {
	file, err := d.path(name)
	if err != nil {
		return nil, err
	}
	return os.Open(file)
}

func (d *DirTarget) List(_ context.Context) ([]string, error) {
	var names []string
	err := filepath.WalkDir(d.dir, func(file string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if entry.IsDir() || strings.HasPrefix(entry.Name(), ".put-") {
			return nil
		}
		rel, err := filepath.Rel(d.dir, file)
		if err != nil {
			return err
		}
		names = append(names, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(names)
	return names, err
}

func (d *DirTarget) Delete(_ context.Context, name string) error {
	file, err := d.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	// Remove directories left empty, up to the target's own.
	for dir := filepath.Dir(file); dir != d.dir && strings.HasPrefix(dir, d.dir); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
	return nil
}
