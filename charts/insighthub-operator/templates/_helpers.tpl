{{- define "insighthub-operator.name" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "insighthub-operator.labels" -}}
app.kubernetes.io/name: insighthub-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "insighthub-operator.selector" -}}
app.kubernetes.io/name: insighthub-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
What the operator does, and nothing more (children are server-side applied: create and patch,
never update): read its own resources and write their status; own
the children it renders (KafkaTopics, KafkaConnectors, ConfigMaps, Deployments, CronJobs); read
the Kafka and KafkaConnect clusters and the Secrets its resources reference (by name only:
existence and key names, plus a CdcSource's database login to measure its replication slot; no
list or watch, which would return every Secret's data); record Events. No pods, no Secrets
written, no RBAC, no cluster-scoped objects.
*/}}
{{- define "insighthub-operator.rules" -}}
- apiGroups: ["data.insighthub.io"]
  resources: ["pipelines", "cdcsources", "qualityrules"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["data.insighthub.io"]
  resources: ["pipelines/status", "cdcsources/status", "qualityrules/status"]
  verbs: ["patch"]
# The finalizer that keeps a deleted CdcSource until its replication slot is dropped.
- apiGroups: ["data.insighthub.io"]
  resources: ["cdcsources"]
  verbs: ["patch", "update"]
- apiGroups: ["kafka.strimzi.io"]
  resources: ["kafkatopics", "kafkaconnectors"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["kafka.strimzi.io"]
  resources: ["kafkas", "kafkaconnects"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["batch"]
  resources: ["cronjobs"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
# The Job that drops a deleted CdcSource's replication slot.
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "create"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end -}}

{{/*
An alert's runbook: the section of docs/operations/alerts.md named after the alert (a heading's
anchor is its text in lower case). Call with (list . "AlertName").
*/}}
{{- define "insighthub-operator.runbook" -}}
{{- printf "%s#%s" (index . 0).Values.monitoring.runbookUrl (index . 1 | lower) | quote -}}
{{- end -}}
