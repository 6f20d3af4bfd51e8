/**
 * @module
 * The spec the create form starts from: the README's first experiment, as YAML
 * (TensorFlow, one parameter server and two workers printing a greeting and TF_CONFIG).
 */

/** A runnable experiment spec on every runtime. */
export const SAMPLE_SPEC = `meta:
  name: tf-hello
  namespace: default
  framework: TensorFlow
  cmd: echo "$GREETING"; echo "TF_CONFIG=$TF_CONFIG"
  envVars:
    GREETING: hello from periscope
environment:
  image: busybox:1.36
spec:
  Ps:
    replicas: 1
    resources: cpu=0.5,memory=64M
  Worker:
    replicas: 2
    resources: cpu=0.5,memory=64M
`
