{{/*
Object names are fixed, as in k8s/: the programs look for them by name (the Secrets, the Lease, the webhook
configuration, the Service in the serving certificate), so one release per cluster.
*/}}

{{/* Labels of every object: the two k8s/ carries, and Helm's own. */}}
{{- define "probe-rewriter.labels" -}}
app.kubernetes.io/name: probe-rewriter
app.kubernetes.io/part-of: probe-rewriter
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{/* The pods' selector: name and component only, as in k8s/ (a selector cannot change once applied). */}}
{{- define "probe-rewriter.selector" -}}
app.kubernetes.io/name: probe-rewriter
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "probe-rewriter.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/*
The prober's image: repository:tag, and @digest after it when prober.image.digest pins it. The tag stays so that
people reading the pod see the release; the container runtime pulls by the digest alone.
*/}}
{{- define "probe-rewriter.proberImage" -}}
{{ .Values.prober.image.repository }}:{{ .Values.prober.image.tag | default .Chart.AppVersion }}
{{- with .Values.prober.image.digest }}@{{ . }}{{ end }}
{{- end }}

{{/*
Without cert-manager the operator's certificates reconciler is the only issuer: refuse values that leave the webhook
without a certificate rather than render an install that never becomes ready.
*/}}
{{- define "probe-rewriter.checkCertificates" -}}
{{- if and (not .Values.certManager.enabled) (not .Values.operator.enabled) -}}
{{- fail "operator.enabled=false needs certManager.enabled=true: without cert-manager the operator issues the webhook's serving certificate" -}}
{{- end -}}
{{- if and (not .Values.certManager.enabled) (not .Values.operator.certificates.enabled) -}}
{{- fail "operator.certificates.enabled=false needs certManager.enabled=true: without cert-manager the certificates reconciler issues the webhook's serving certificate" -}}
{{- end -}}
{{- if and .Values.operator.audit.remediation.enabled (not (and .Values.operator.enabled .Values.operator.audit.enabled)) -}}
{{- fail "operator.audit.remediation.enabled=true needs operator.enabled=true and operator.audit.enabled=true: remediation is the audit's restart of a workload" -}}
{{- end -}}
{{- end }}

{{/*
A Go duration as certManager.*.duration and renewBefore take it, in whole seconds: the schema allows only hours,
minutes and seconds, each at most once and in that order (720h, 2160h0m0s, 90m), so each unit is found on its own.
*/}}
{{- define "probe-rewriter.durationSeconds" -}}
{{- $hours := regexFind "[0-9]+h" . | trimSuffix "h" | default "0" | int64 -}}
{{- $minutes := regexFind "[0-9]+m" . | trimSuffix "m" | default "0" | int64 -}}
{{- $seconds := regexFind "[0-9]+s" . | trimSuffix "s" | default "0" | int64 -}}
{{- add (mul $hours 3600) (mul $minutes 60) $seconds -}}
{{- end }}

{{/* The engine's global defaults and the log level: the same on both processes, only what is set. */}}
{{- define "probe-rewriter.configEnv" -}}
{{- with .Values.config.mode }}
- name: PROBE_REWRITER_MODE
  value: {{ . | quote }}
{{- end }}
{{- with .Values.config.execCommand }}
- name: PROBE_REWRITER_EXEC_COMMAND
  value: {{ . | quote }}
{{- end }}
{{- with .Values.config.mtlsResolver }}
- name: PROBE_REWRITER_MTLS_RESOLVER
  value: {{ . | quote }}
{{- end }}
{{- with .Values.config.probes }}
- name: PROBE_REWRITER_PROBES
  value: {{ . | quote }}
{{- end }}
{{- if ne .Values.istio.namespace "istio-system" }}
- name: PROBE_REWRITER_MTLS_ISTIO_NAMESPACE
  value: {{ .Values.istio.namespace | quote }}
{{- end }}
{{- with .Values.config.logLevel }}
- name: QUARKUS_LOG_LEVEL
  value: {{ . | quote }}
{{- end }}
{{- with .Values.config.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
A container's env (a YAML list, as text) with one entry per name: the last one. The chart's own entries come first,
then config.extraEnv, then the Deployment's extraEnv, so a name set again in an extraEnv replaces the chart's entry
(and webhook.extraEnv or operator.extraEnv replaces config.extraEnv) where the user put it, instead of rendering twice:
server-side apply refuses a list whose merge key (the name) repeats, and with client-side apply the last entry wins
anyway, whatever the chart meant.
*/}}
{{- define "probe-rewriter.uniqueEnv" -}}
{{- $env := fromYamlArray . -}}
{{- $unique := list -}}
{{- range $i, $entry := $env -}}
{{- $replaced := false -}}
{{- range $j, $other := $env -}}
{{- if and (gt $j $i) (eq (toString $other.name) (toString $entry.name)) -}}
{{- $replaced = true -}}
{{- end -}}
{{- end -}}
{{- if not $replaced -}}
{{- $unique = append $unique $entry -}}
{{- end -}}
{{- end -}}
{{- toYaml $unique -}}
{{- end }}

{{/* Pod fields both Deployments offer, as given. */}}
{{- define "probe-rewriter.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Entries without a labelSelector select the Deployment's own pods. */}}
{{- define "probe-rewriter.topologySpread" -}}
{{- $selector := include "probe-rewriter.selector" (dict "component" .component) | fromYaml }}
{{- with .constraints }}
topologySpreadConstraints:
{{- range . }}
{{- $c := deepCopy . }}
{{- if not (hasKey $c "labelSelector") }}
{{- $_ := set $c "labelSelector" (dict "matchLabels" $selector) }}
{{- end }}
  - {{ toYaml $c | nindent 4 | trim }}
{{- end }}
{{- end }}
{{- end }}

{{/* ServiceAccounts of the processes that run: bound to the reads both share. */}}
{{- define "probe-rewriter.subjects" -}}
- kind: ServiceAccount
  name: probe-rewriter-webhook
  namespace: {{ .Release.Namespace }}
{{- if .Values.operator.enabled }}
- kind: ServiceAccount
  name: probe-rewriter-operator
  namespace: {{ .Release.Namespace }}
{{- end }}
{{- end }}

{{/*
The webhook rollout's surge, 1 or 0 (maxUnavailable is the other). With a required anti-affinity (podAntiAffinity=hard,
or one in webhook.affinity) a surge pod needs a node no replica runs on: where replicas match the schedulable nodes
it stays Pending for good and `helm upgrade --wait` times out, so a replica is replaced in place instead (the others
serve meanwhile). A single replica keeps its surge: replaced in place, no webhook would answer during every rollout,
and its surge needs only a second node.
*/}}
{{- define "probe-rewriter.webhookSurge" -}}
{{- $required := eq .Values.webhook.podAntiAffinity "hard" -}}
{{- if .Values.webhook.affinity -}}
{{- $required = not (empty (dig "podAntiAffinity" "requiredDuringSchedulingIgnoredDuringExecution" list .Values.webhook.affinity)) -}}
{{- end -}}
{{- ternary 0 1 (and $required (gt (int .Values.webhook.replicas) 1)) -}}
{{- end }}

{{/* The system-* priority classes the Deployments use: the ResourceQuota covers exactly those. */}}
{{- define "probe-rewriter.systemPriorityClasses" -}}
{{- $classes := list }}
{{- if hasPrefix "system-" (.Values.webhook.priorityClassName | default "") }}
{{- $classes = append $classes .Values.webhook.priorityClassName }}
{{- end }}
{{- if and .Values.operator.enabled (hasPrefix "system-" (.Values.operator.priorityClassName | default "")) }}
{{- $classes = append $classes .Values.operator.priorityClassName }}
{{- end }}
{{- $classes | uniq | toJson }}
{{- end }}

{{/* Egress of both processes: DNS anywhere, and the API server (networkPolicy.apiServer: its addresses and ports). */}}
{{- define "probe-rewriter.networkPolicyEgress" -}}
- ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
- ports:
    {{- range .apiServer.ports }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
  {{- with .apiServer.cidrs }}
  to:
    {{- range . }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  {{- end }}
{{- end }}

{{/*
The pods' security context. The user (185, the image's) is named except on OpenShift, whose restricted-v2
SecurityContextConstraint refuses an id outside the namespace's range and assigns one itself (openshift.*).
*/}}
{{- define "probe-rewriter.podSecurityContext" -}}
{{- $mode := .Values.openshift.adaptSecurityContext -}}
{{- $openshift := or (eq $mode "force") (and (eq $mode "auto") (.Capabilities.APIVersions.Has "security.openshift.io/v1")) -}}
runAsNonRoot: true
{{- if not $openshift }}
runAsUser: 185
runAsGroup: 185
fsGroup: 185
{{- end }}
seccompProfile:
  type: RuntimeDefault
{{- end }}
