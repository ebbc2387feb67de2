package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/encrypt"
)

// S3Config holds the settings of an S3 target.
type S3Config struct {
	// Endpoint is the server's URL, e.g. http://127.0.0.1:9000 for MinIO;
	// empty means AWS (https://s3.amazonaws.com).
	Endpoint string
	// Region is the bucket's region; empty lets the client ask the server.
	Region string
	// PathStyle addresses buckets as endpoint/bucket instead of
	// bucket.endpoint, as MinIO and most S3-compatible servers need.
	PathStyle bool
	// AccessKeyID, SecretAccessKey and SessionToken are static credentials.
	// Without them, the credentials come from the AWS shared credentials
	// file or the instance's IAM role.
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// SSE selects server-side encryption: "" for none (or the bucket's
	// default), "AES256", or "aws:kms" with SSEKMSKeyID.
	SSE         string
	SSEKMSKeyID string
	// PartSize is the size of each part of a multipart upload; 0 lets the
	// client choose. Files larger than one part are sent in parts.
	PartSize uint64
	// Transport replaces the HTTP transport, for tests.
	Transport http.RoundTripper
}

// S3Target keeps backups under a prefix of an S3 bucket.
type S3Target struct {
	client *minio.Client
	bucket string
	prefix string // "" or ending in "/"
	config S3Config
	sse    encrypt.ServerSide
}

// NewS3Target returns the target of bucket and prefix. It does not contact
// the server: the first request reports a missing bucket or a wrong region.
func NewS3Target(bucket, prefix string, c S3Config) (*S3Target, error) {
	endpoint := c.Endpoint
	if endpoint == "" {
		endpoint = "https://s3.amazonaws.com"
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("invalid REELPULSE_S3_ENDPOINT %q: use a URL such as https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:9000, without a path", c.Endpoint)
	}

	var creds *credentials.Credentials
	if c.AccessKeyID != "" || c.SecretAccessKey != "" {
		if c.AccessKeyID == "" || c.SecretAccessKey == "" {
			return nil, errors.New("incomplete S3 credentials: set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither to use the shared credentials file or an IAM role")
		}
		creds = credentials.NewStaticV4(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	} else {
		creds = credentials.NewChainCredentials([]credentials.Provider{
			&credentials.FileAWSCredentials{},
			&credentials.IAM{},
		})
	}

	lookup := minio.BucketLookupAuto
	if c.PathStyle {
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(u.Host, &minio.Options{
		Creds:        creds,
		Secure:       u.Scheme == "https",
		Region:       c.Region,
		BucketLookup: lookup,
		Transport:    c.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("create S3 client for %s: %w", endpoint, err)
	}

	t := &S3Target{client: client, bucket: bucket, config: c}
	if prefix = strings.Trim(prefix, "/"); prefix != "" {
		t.prefix = prefix + "/"
	}
	switch c.SSE {
	case "":
	case "AES256":
		t.sse = encrypt.NewSSE()
	case "aws:kms":
		if t.sse, err = encrypt.NewSSEKMS(c.SSEKMSKeyID, nil); err != nil {
			return nil, fmt.Errorf("invalid REELPULSE_S3_SSE_KMS_KEY_ID: %w", err)
		}
	default:
		return nil, fmt.Errorf("invalid REELPULSE_S3_SSE %q: use AES256, aws:kms or nothing", c.SSE)
	}
	return t, nil
}

func (t *S3Target) String() string {
	return "s3://" + t.bucket + "/" + strings.TrimSuffix(t.prefix, "/")
}

func (t *S3Target) key(name string) string {
	return t.prefix + name
}

// Put uploads an object, in parts when it is larger than one part. Each
// request carries a Content-MD5 header, so the server rejects a body
// damaged in transit. The client would otherwise stream a payload
// signature over plain HTTP, whose framing not every S3-compatible server
// decodes in part uploads: gofakes3 v1.2.0 stores it as data.
func (t *S3Target) Put(ctx context.Context, name string, body io.Reader, size int64) error {
	_, err := t.client.PutObject(ctx, t.bucket, t.key(name), body, size, minio.PutObjectOptions{
		ContentType:          contentType(name),
		ServerSideEncryption: t.sse,
		PartSize:             t.config.PartSize,
		SendContentMd5:       true,
		DisableContentSha256: true,
	})
	return t.explain(err)
}

func contentType(name string) string {
	if path.Ext(name) == ".json" {
		return "application/json"
	}
	return "application/gzip"
}

// Get opens an object. The first read reports a missing object, so Get
// checks it with a HEAD request first.
func (t *S3Target) Get(ctx context.Context, name string) (io.ReadCloser, error) {
	if _, err := t.client.StatObject(ctx, t.bucket, t.key(name), minio.StatObjectOptions{}); err != nil {
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil, fmt.Errorf("object %s in %s: %w", name, t, fs.ErrNotExist)
		}
		return nil, t.explain(err)
	}
	object, err := t.client.GetObject(ctx, t.bucket, t.key(name), minio.GetObjectOptions{})
	if err != nil {
		return nil, t.explain(err)
	}
	return object, nil
}

func (t *S3Target) List(ctx context.Context) ([]string, error) {
	var names []string
	for object := range t.client.ListObjects(ctx, t.bucket, minio.ListObjectsOptions{Prefix: t.prefix, Recursive: true}) {
		if object.Err != nil {
			return nil, t.explain(object.Err)
		}
		names = append(names, strings.TrimPrefix(object.Key, t.prefix))
	}
	slices.Sort(names)
	return names, nil
}

func (t *S3Target) Delete(ctx context.Context, name string) error {
	err := t.client.RemoveObject(ctx, t.bucket, t.key(name), minio.RemoveObjectOptions{})
	if minio.ToErrorResponse(err).Code == "NoSuchKey" {
		return nil
	}
	return t.explain(err)
}

// explain turns the S3 errors that a wrong setting causes into messages
// that name the setting to change.
func (t *S3Target) explain(err error) error {
	if err == nil {
		return nil
	}
	response := minio.ToErrorResponse(err)
	switch response.Code {
	case "NoSuchBucket":
		return fmt.Errorf("bucket %q does not exist at %s: create it, or fix the bucket in REELPULSE_BACKUP_TARGET: %w", t.bucket, t.endpoint(), err)
	case "AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException":
		if response.Region != "" {
			return fmt.Errorf("bucket %q is in region %s: set REELPULSE_S3_REGION=%s: %w", t.bucket, response.Region, response.Region, err)
		}
		return fmt.Errorf("bucket %q is in another region than %q: set REELPULSE_S3_REGION to the bucket's region: %w", t.bucket, t.config.Region, err)
	case "InvalidAccessKeyId", "SignatureDoesNotMatch":
		return fmt.Errorf("the S3 server rejected the credentials: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: %w", err)
	case "AccessDenied":
		return fmt.Errorf("access to bucket %q denied: the credentials need s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on it: %w", t.bucket, err)
	}
	return err
}

func (t *S3Target) endpoint() string {
	if t.config.Endpoint == "" {
		return "AWS"
	}
	return t.config.Endpoint
}
