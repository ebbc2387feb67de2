// Package deploy_test checks the deployment files at the root of the
// repository and under deploy/: the Dockerfile, docker-compose.yml,
// .env.example and the Kubernetes manifests. They must parse, and every
// setting they name must be a row of the configuration table, so that a
// renamed or misspelled variable fails here instead of being ignored in
// production.
package deploy_test

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	composecli "github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"

	"github.com/reelpulse/reelpulse/internal/config"
)

var update = flag.Bool("update", false, "rewrite .env.example from the configuration table")

// root is the repository root, relative to this package.
const root = ".."

// otherVariables are the names the deployment files may use besides the
// settings: the PostgreSQL image's own and docker-compose.yml's
// interpolation variables.
var otherVariables = []string{"POSTGRES_PASSWORD", "POSTGRES_USER", "POSTGRES_DB", "IMAGE_TARGET", "PUBLISH_ADDR",
	"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "MC_HOST_backups"}

func knownSetting(name string) bool {
	return slices.ContainsFunc(config.Options, func(o config.Option) bool { return o.Name == name })
}

// checkSetting fails when name is neither a setting nor one of
// otherVariables.
func checkSetting(t *testing.T, where, name string) {
	t.Helper()
	if !knownSetting(name) && !slices.Contains(otherVariables, name) {
		t.Errorf("%s names %s, which is no setting of docs/configuration.md: fix the name or add the setting", where, name)
	}
}

// envExample renders .env.example from the configuration table.
func envExample() []byte {
	var b bytes.Buffer
	b.WriteString(`# reelpulse settings: copy this file to .env and uncomment what you change.
# reelpulse reads .env from its working directory, and docker compose reads
# it for docker-compose.yml. Every setting is listed with its default;
# docs/configuration.md describes them. Generated from the configuration
# table by: go test ./deploy -update

# Password of the PostgreSQL user that docker-compose.yml creates. Required
# by docker compose; reelpulse itself ignores it.
POSTGRES_PASSWORD=

`)
	for _, o := range config.Options {
		for _, line := range wrap(o.Description, 76) {
			b.WriteString("# " + line + "\n")
		}
		fmt.Fprintf(&b, "# %s=%s\n\n", o.Name, o.Default)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// wrap splits text into lines of at most width bytes at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}

func TestEnvExampleListsEverySetting(t *testing.T) {
	path := filepath.Join(root, ".env.example")
	want := envExample()
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read .env.example: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf(".env.example is not the configuration table: run go test ./deploy -update")
	}

	// Every setting appears as a commented NAME=default line, so that
	// uncommenting one line changes one setting.
	for _, o := range config.Options {
		if !bytes.Contains(got, []byte("\n# "+o.Name+"="+o.Default+"\n")) {
			t.Errorf(".env.example lacks the line # %s=%s", o.Name, o.Default)
		}
	}
}

func TestDockerfileSettings(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}

	// ENV instructions span continuation lines: join them first.
	text := strings.ReplaceAll(string(data), "\\\n", " ")
	names := 0
	targets := map[string]bool{}
	for line := range strings.Lines(text) {
		fields := strings.Fields(line)
		switch {
		case len(fields) >= 2 && fields[0] == "ENV":
			for _, pair := range fields[1:] {
				name, _, ok := strings.Cut(pair, "=")
				if !ok {
					t.Errorf("Dockerfile ENV %q: use NAME=value", pair)
					continue
				}
				checkSetting(t, "Dockerfile", name)
				names++
			}
		case len(fields) == 4 && fields[0] == "FROM" && strings.EqualFold(fields[2], "AS"):
			targets[fields[3]] = true
		}
	}
	if names == 0 {
		t.Error("Dockerfile sets no setting with ENV; the images need REELPULSE_ADDR=0.0.0.0:8080")
	}
	for _, target := range []string{"build", "static", "chromium"} {
		if !targets[target] {
			t.Errorf("Dockerfile has no stage %q; docs/deployment.md and docker-compose.yml use it", target)
		}
	}
	if !strings.Contains(text, "USER 65532") {
		t.Error("Dockerfile images must run as the unprivileged user 65532")
	}
}

// loadCompose loads docker-compose.yml as docker compose does, with env as
// the environment and no .env file.
func loadCompose(t *testing.T, env ...string) (*types.Project, error) {
	t.Helper()
	options, err := composecli.NewProjectOptions(
		[]string{filepath.Join(root, "docker-compose.yml")},
		composecli.WithWorkingDirectory(root),
		composecli.WithEnv(env),
		composecli.WithDiscardEnvFile,
	)
	if err != nil {
		t.Fatal(err)
	}
	return options.LoadProject(t.Context())
}

func TestComposeFile(t *testing.T) {
	project, err := loadCompose(t, "POSTGRES_PASSWORD=secret")
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}

	for _, name := range []string{"postgres", "web", "worker"} {
		if _, ok := project.Services[name]; !ok {
			t.Errorf("docker-compose.yml has no service %q", name)
		}
	}

	postgres := project.Services["postgres"]
	if postgres.HealthCheck == nil || len(postgres.HealthCheck.Test) == 0 {
		t.Error("the postgres service has no health check, so web and worker could start before it accepts connections")
	}
	if len(postgres.Volumes) == 0 {
		t.Error("the postgres service has no volume, so its data would be lost with the container")
	}

	if len(project.DisabledServices) == 0 {
		t.Error("docker-compose.yml has no service behind a profile; the S3 server for backups should be one")
	}

	commands := map[string][]string{"web": {"serve", "--role", "web"}, "worker": {"worker"}}
	for name, command := range commands {
		service := project.Services[name]
		if !slices.Equal(service.Command, command) {
			t.Errorf("service %s runs %q, want %q", name, service.Command, command)
		}
		if dependency, ok := service.DependsOn["postgres"]; !ok || dependency.Condition != types.ServiceConditionHealthy {
			t.Errorf("service %s does not wait for a healthy postgres: %+v", name, service.DependsOn)
		}
		for variable := range service.Environment {
			checkSetting(t, "docker-compose.yml service "+name, variable)
		}
		url := service.Environment["DATABASE_URL"]
		if url == nil || !strings.HasPrefix(*url, "postgres://reelpulse:secret@postgres:5432/") {
			t.Errorf("service %s DATABASE_URL = %v, want the postgres service with POSTGRES_PASSWORD", name, url)
		}
	}
}

// TestComposeS3Profile loads the file with the s3 profile, as
// docker compose --profile s3 does.
func TestComposeS3Profile(t *testing.T) {
	options, err := composecli.NewProjectOptions(
		[]string{filepath.Join(root, "docker-compose.yml")},
		composecli.WithWorkingDirectory(root),
		composecli.WithEnv([]string{"POSTGRES_PASSWORD=secret", "AWS_SECRET_ACCESS_KEY=minio-secret"}),
		composecli.WithDiscardEnvFile,
		composecli.WithProfiles([]string{"s3"}),
	)
	if err != nil {
		t.Fatal(err)
	}
	project, err := options.LoadProject(t.Context())
	if err != nil {
		t.Fatalf("docker-compose.yml with the s3 profile does not load: %v", err)
	}
	minio, ok := project.Services["minio"]
	if !ok {
		t.Fatal("the s3 profile has no minio service")
	}
	if password := minio.Environment["MINIO_ROOT_PASSWORD"]; password == nil || *password != "minio-secret" {
		t.Errorf("MINIO_ROOT_PASSWORD = %v, want AWS_SECRET_ACCESS_KEY", password)
	}
	if _, ok := project.Services["minio-bucket"]; !ok {
		t.Error("the s3 profile does not create the bucket")
	}
}

func TestComposeNeedsPassword(t *testing.T) {
	_, err := loadCompose(t)
	if err == nil || !strings.Contains(err.Error(), "POSTGRES_PASSWORD") {
		t.Errorf("loading without POSTGRES_PASSWORD returned %v, want an error that names it", err)
	}
}

// interpolation matches ${NAME}, ${NAME:-default} and ${NAME:?message}.
var interpolation = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)`)

func TestComposeInterpolatesKnownNames(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	matches := interpolation.FindAllSubmatch(data, -1)
	if len(matches) == 0 {
		t.Fatal("docker-compose.yml interpolates no variable; the test of its names would check nothing")
	}
	for _, m := range matches {
		checkSetting(t, "docker-compose.yml", string(m[1]))
	}
}

// TestComposeConfigCommand runs docker compose itself when this machine
// has it.
func TestComposeConfigCommand(t *testing.T) {
	if err := exec.Command("docker", "compose", "version").Run(); err != nil {
		t.Skip("docker compose is not installed; TestComposeFile loads the file with compose-go instead")
	}
	command := exec.CommandContext(t.Context(), "docker", "compose", "-f", "docker-compose.yml", "config", "--quiet")
	command.Dir = root
	command.Env = append(os.Environ(), "POSTGRES_PASSWORD=secret")
	if output, err := command.CombinedOutput(); err != nil {
		t.Errorf("docker compose config: %v\n%s", err, output)
	}
}

// manifest is the part of a Kubernetes object that the checks read.
type manifest struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
	Resources  []string          `yaml:"resources"`
	Spec       struct {
		Template struct {
			Spec struct {
				Containers []container `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type container struct {
	Name  string `yaml:"name"`
	Image string `yaml:"image"`
	Args  []string
	Env   []struct {
		Name string `yaml:"name"`
	} `yaml:"env"`
	EnvFrom []struct {
		ConfigMapRef *struct{ Name string } `yaml:"configMapRef"`
		SecretRef    *struct{ Name string } `yaml:"secretRef"`
	} `yaml:"envFrom"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
	} `yaml:"resources"`
}

type probe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
	} `yaml:"httpGet"`
}

// readManifests decodes every document of every YAML file under
// deploy/kubernetes, keyed by file name.
func readManifests(t *testing.T) map[string][]manifest {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("kubernetes", "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no manifests under deploy/kubernetes: %v", err)
	}
	files := map[string][]manifest{}
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		decoder := yaml.NewDecoder(bufio.NewReader(f))
		decoder.KnownFields(false)
		for {
			var m manifest
			err := decoder.Decode(&m)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Errorf("%s: invalid YAML: %v", path, err)
				break
			}
			if m.APIVersion == "" || m.Kind == "" {
				t.Errorf("%s: a document without apiVersion or kind", path)
			}
			files[filepath.Base(path)] = append(files[filepath.Base(path)], m)
		}
		f.Close()
	}
	return files
}

func TestKubernetesManifests(t *testing.T) {
	files := readManifests(t)

	deployments := map[string]container{}
	for file, manifests := range files {
		for _, m := range manifests {
			for name := range m.Data {
				checkSetting(t, file+" "+m.Kind, name)
			}
			for name := range m.StringData {
				checkSetting(t, file+" "+m.Kind, name)
			}
			if m.Kind != "Deployment" {
				continue
			}
			if len(m.Spec.Template.Spec.Containers) != 1 {
				t.Errorf("%s: Deployment %s has %d containers, want 1", file, m.Metadata.Name, len(m.Spec.Template.Spec.Containers))
				continue
			}
			c := m.Spec.Template.Spec.Containers[0]
			deployments[m.Metadata.Name] = c
			for _, env := range c.Env {
				checkSetting(t, file+" container env", env.Name)
			}
		}
	}

	wantArgs := map[string][]string{"reelpulse-web": {"serve", "--role", "web"}, "reelpulse-worker": {"worker"}}
	for name, args := range wantArgs {
		c, ok := deployments[name]
		if !ok {
			t.Errorf("no Deployment %s", name)
			continue
		}
		if !slices.Equal(c.Args, args) {
			t.Errorf("Deployment %s runs %q, want %q", name, c.Args, args)
		}
		if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
			t.Errorf("Deployment %s: readiness probe %+v, want GET /readyz", name, c.ReadinessProbe)
		}
		if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
			t.Errorf("Deployment %s: liveness probe %+v, want GET /healthz", name, c.LivenessProbe)
		}
		if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" {
			t.Errorf("Deployment %s has no CPU and memory requests", name)
		}
		var config, secret bool
		for _, from := range c.EnvFrom {
			config = config || from.ConfigMapRef != nil && from.ConfigMapRef.Name == "reelpulse"
			secret = secret || from.SecretRef != nil && from.SecretRef.Name == "reelpulse"
		}
		if !config || !secret {
			t.Errorf("Deployment %s does not read the reelpulse ConfigMap and Secret", name)
		}
	}
}

func TestKustomizationListsFiles(t *testing.T) {
	files := readManifests(t)
	kustomization := files["kustomization.yaml"]
	if len(kustomization) != 1 {
		t.Fatalf("deploy/kubernetes/kustomization.yaml: %d documents, want 1", len(kustomization))
	}
	for _, resource := range kustomization[0].Resources {
		if _, ok := files[resource]; !ok {
			t.Errorf("kustomization.yaml lists %s, which does not exist", resource)
		}
	}
	if slices.Contains(kustomization[0].Resources, "secret.example.yaml") {
		t.Error("kustomization.yaml must not apply secret.example.yaml, whose password is a placeholder")
	}
	for _, file := range []string{"configmap.yaml", "web.yaml", "worker.yaml", "service.yaml"} {
		if !slices.Contains(kustomization[0].Resources, file) {
			t.Errorf("kustomization.yaml does not apply %s", file)
		}
	}
}

// TestKustomizeBuild renders the manifests with kubectl when this machine
// has it.
func TestKustomizeBuild(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		t.Skip("kubectl is not installed; TestKubernetesManifests reads the files directly")
	}
	output, err := exec.CommandContext(t.Context(), "kubectl", "kustomize", "kubernetes").CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl kustomize deploy/kubernetes: %v\n%s", err, output)
	}
	for _, want := range []string{"namespace: reelpulse", "image: ghcr.io/reelpulse/reelpulse:latest", "kind: Service"} {
		if !bytes.Contains(output, []byte(want)) {
			t.Errorf("kubectl kustomize output lacks %q", want)
		}
	}
}
