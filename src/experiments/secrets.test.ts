import { expect, test } from 'bun:test'
import { ValidationError } from '../errors.ts'
import type { ExperimentSpec } from './experiment.ts'
import { SecretRedactor } from './secret-redactor.ts'
import { isSecretName, maskSecrets, restoreSecrets, SECRET_MASK } from './secrets.ts'

test('env var names whose last word is PASSWORD, PASSWD, TOKEN, SECRET or KEY are secret, in any case', () => {
  for (const name of [
    'DB_PASSWORD',
    'PASSWORD',
    'GITHUB_TOKEN',
    'TOKEN',
    'AWS_SECRET_ACCESS_KEY',
    'api_key',
    'X_PASSWD',
  ])
    expect([name, isSecretName(name)]).toEqual([name, true])
  for (const name of ['TOKEN_FILE', 'KEYS', 'PASSWORD_HINT', 'MONKEY', 'GREETING', 'SECRETS', ''])
    expect([name, isSecretName(name)]).toEqual([name, false])
})

const spec = (): ExperimentSpec => ({
  meta: {
    experimentId: 'e-1',
    name: 'n',
    namespace: 'default',
    framework: 'TensorFlow',
    cmd: 'true',
    envVars: { DB_PASSWORD: 'hunter22', GREETING: 'hi', EMPTY_TOKEN: '' },
    tags: [],
  },
  environment: { name: null, dockerImage: null, kernelSpec: null, description: null, image: 'x' },
  spec: {
    Worker: {
      replicas: 1,
      resources: null,
      name: null,
      image: null,
      cmd: null,
      // As JSON.parse makes it from a body: `__proto__` an own property.
      envVars: JSON.parse('{"HF_TOKEN":"tok-1234","__proto__":"data"}'),
      resourceMap: {},
    },
  },
  experimentHandlerSpec: null,
  code: { syncMode: 'git', git: { url: 'u', branch: 'main', username: 'me', password: 'gitpass', trustCerts: null } },
})

test('masking replaces every secret value, leaves the rest and the original alone', () => {
  const original = spec()
  const masked = maskSecrets(original)
  expect(masked.meta.envVars).toEqual({ DB_PASSWORD: SECRET_MASK, GREETING: 'hi', EMPTY_TOKEN: '' })
  expect(Object.hasOwn(masked.spec.Worker!.envVars!, '__proto__')).toBe(true)
  expect(masked.spec.Worker!.envVars!.HF_TOKEN).toBe(SECRET_MASK)
  expect(masked.code!.git!.password).toBe(SECRET_MASK)
  expect(masked.code!.git!.username).toBe('me')
  expect(original).toEqual(spec())
})

test('a masked spec sent back gets the stored values; a new value replaces the stored one', () => {
  const incoming = maskSecrets(spec())
  incoming.meta.envVars.DB_PASSWORD = 'changed!'
  restoreSecrets(incoming, spec(), 'e-1')
  expect(incoming.meta.envVars.DB_PASSWORD).toBe('changed!')
  expect(incoming.spec.Worker!.envVars!.HF_TOKEN).toBe('tok-1234')
  expect(incoming.code!.git!.password).toBe('gitpass')
})

test('a mask with no stored value is refused, naming the field', () => {
  const incoming = maskSecrets(spec())
  expect(() => restoreSecrets(incoming, null, null)).toThrow(ValidationError)
  const stored = spec()
  delete stored.spec.Worker!.envVars!.HF_TOKEN
  expect(() => restoreSecrets(maskSecrets(spec()), stored, 'e-1')).toThrow(
    'Invalid experiment spec: spec.Worker.envVars.HF_TOKEN is "******", the mask answers show in place of a secret, ' +
      'and experiment e-1 has no stored value for it; send the real value',
  )
})

test('the redactor masks remembered values of live experiments in log lines, and forgets deleted ones', () => {
  const redactor = new SecretRedactor()
  redactor.remember('e-1', spec())
  expect(redactor.redact('docker refused: env HF_TOKEN=tok-1234 and hunter22')).toBe(
    'docker refused: env HF_TOKEN=****** and ******',
  )
  redactor.forget('e-1')
  expect(redactor.redact('hunter22')).toBe('hunter22')
})
