package backup

import (
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
)

func TestS3ErrorsNameTheSetting(t *testing.T) {
	target, err := NewS3Target("reelpulse-backups", "hourly", S3Config{Endpoint: "http://127.0.0.1:9", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		response minio.ErrorResponse
		want     string
	}{
		{minio.ErrorResponse{Code: "NoSuchBucket"}, "REELPULSE_BACKUP_TARGET"},
		{minio.ErrorResponse{Code: "AuthorizationHeaderMalformed", Region: "eu-west-1"}, "REELPULSE_S3_REGION=eu-west-1"},
		{minio.ErrorResponse{Code: "PermanentRedirect"}, "REELPULSE_S3_REGION to the bucket's region"},
		{minio.ErrorResponse{Code: "InvalidAccessKeyId"}, "AWS_ACCESS_KEY_ID"},
		{minio.ErrorResponse{Code: "AccessDenied"}, "s3:PutObject"},
	} {
		t.Run(tc.response.Code, func(t *testing.T) {
			err := target.explain(tc.response)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("explain(%s) = %v, want a message containing %q", tc.response.Code, err, tc.want)
			}
		})
	}
}

func TestNewS3TargetRejectsBadSettings(t *testing.T) {
	for _, c := range []S3Config{
		{Endpoint: "127.0.0.1:9000"},
		{Endpoint: "http://127.0.0.1:9000/path"},
		{AccessKeyID: "only-the-id"},
		{SSE: "rot13"},
	} {
		if _, err := NewS3Target("bucket", "", c); err == nil {
			t.Errorf("NewS3Target with %+v succeeded", c)
		}
	}
}
