/**
 * Each framework's UpdateJobStatus (semantics doc §2.3, §2.4, §4.3): which replica counts make a
 * job Running, Succeeded, Restarting or Failed, with the operator's exact messages.
 * @module
 */
import { setCondition } from './conditions.ts'
import type { JobKindInfo } from './kinds.ts'
import type { ReplicaView } from './replica-specs.ts'
import type { Json, KubeObject } from './types.ts'

/** Pod counts of one replica type (Pending pods count nowhere). */
export interface ReplicaCounts {
  active: number
  succeeded: number
  failed: number
}

/** What the rules read. */
export interface RuleInput {
  info: JobKindInfo
  job: KubeObject
  views: readonly ReplicaView[]
  counts: Readonly<Record<string, ReplicaCounts>>
  /** TF: worker-0's framework container exited 0 and its pod Succeeded. */
  worker0Completed: boolean
  now: string
}

/** Applies the framework's status rules to a mutable job status. */
export function applyJobRules(status: Json, input: RuleInput): void {
  if (input.info.plural === 'tfjobs') tfRules(status, input)
  else if (input.info.plural === 'pytorchjobs') pytorchRules(status, input)
  else xgboostRules(status, input)
}

function finish(status: Json, type: 'Succeeded' | 'Failed', reason: string, message: string, now: string): void {
  status.completionTime ??= now
  setCondition(status, type, 'True', reason, message, now)
}

function tfRules(status: Json, { info, job, views, counts, worker0Completed, now }: RuleInput): void {
  const { kind } = info
  const id = `${job.metadata.namespace}/${job.metadata.name}`
  const hasChiefOrMaster = views.some((v) => v.type === 'Chief' || v.type === 'Master')
  for (const v of views) {
    const c = counts[v.type] ?? { active: 0, succeeded: 0, failed: 0 }
    const expected = v.replicas - c.succeeded
    if (hasChiefOrMaster) {
      if (v.type === 'Chief' || v.type === 'Master') {
        if (c.active > 0) setCondition(status, 'Running', 'True', `${kind}Running`, `TFJob ${id} is running.`, now)
        if (expected === 0) finish(status, 'Succeeded', `${kind}Succeeded`, `TFJob ${id} successfully completed.`, now)
      }
    } else if (v.type === 'Worker') {
      if (expected === 0 || (worker0Completed && job.spec?.successPolicy !== 'AllWorkers')) {
        finish(status, 'Succeeded', `${kind}Succeeded`, `TFJob ${id} successfully completed.`, now)
      } else if (c.active > 0) {
        setCondition(status, 'Running', 'True', `${kind}Running`, `TFJob ${id} is running.`, now)
      }
    }
    if (c.failed > 0) {
      const restarting = (status.conditions ?? []).some((x: Json) => x.type === 'Restarting')
      if (restarting) continue
      if (job.spec?.enableDynamicWorker && v.type === 'Worker') continue
      finish(
        status,
        'Failed',
        `${kind}Failed`,
        `TFJob ${id} has failed because ${c.failed} ${v.type} replica(s) failed.`,
        now,
      )
    }
  }
}

function pytorchRules(status: Json, { info, job, views, counts, now }: RuleInput): void {
  const { kind } = info
  const name = job.metadata.name
  const id = `${job.metadata.namespace}/${name}`
  const hasMaster = views.some((v) => v.type === 'Master')
  for (const v of views) {
    const c = counts[v.type] ?? { active: 0, succeeded: 0, failed: 0 }
    const expected = v.replicas - c.succeeded
    if (hasMaster) {
      if (v.type === 'Master') {
        if (c.active > 0)
          setCondition(status, 'Running', 'True', `${kind}Running`, `PyTorchJob ${name} is running.`, now)
        if (expected === 0) {
          finish(status, 'Succeeded', `${kind}Succeeded`, `PyTorchJob ${name} is successfully completed.`, now)
          return
        }
      }
    } else if (v.type === 'Worker') {
      if (expected === 0 || (job.spec?.elasticPolicy && c.succeeded > 0)) {
        finish(status, 'Succeeded', `${kind}Succeeded`, `PyTorchJob ${id} successfully completed.`, now)
      } else if (c.active > 0) {
        setCondition(status, 'Running', 'True', `${kind}Running`, `PyTorchJob ${id} is running.`, now)
      }
    }
    if (c.failed > 0 && v.replicas > c.succeeded + c.active) {
      if (v.restartPolicy !== 'Never') {
        setCondition(
          status,
          'Restarting',
          'True',
          `${kind}Restarting`,
          `PyTorchJob ${name} is restarting because ${c.failed} ${v.type} replica(s) failed.`,
          now,
        )
      } else {
        finish(
          status,
          'Failed',
          `${kind}Failed`,
          `PyTorchJob ${name} is failed because ${c.failed} ${v.type} replica(s) failed.`,
          now,
        )
      }
    }
  }
}

function xgboostRules(status: Json, { info, job, views, counts, now }: RuleInput): void {
  const { kind } = info
  const name = job.metadata.name
  for (const v of views) {
    const c = counts[v.type] ?? { active: 0, succeeded: 0, failed: 0 }
    const expected = v.replicas - c.succeeded
    if (v.type === 'Master') {
      if (c.active > 0 || expected === 0)
        setCondition(status, 'Running', 'True', `${kind}Running`, `XGBoostJob ${name} is running.`, now)
      if (expected === 0) {
        finish(status, 'Succeeded', `${kind}Succeeded`, `XGBoostJob ${name} is successfully completed.`, now)
        return
      }
    }
    if (c.failed > 0) {
      if (v.restartPolicy === 'ExitCode') {
        setCondition(
          status,
          'Restarting',
          'True',
          `${kind}Restarting`,
          `XGBoostJob ${name} is restarting because ${c.failed} ${v.type} replica(s) failed.`,
          now,
        )
      } else {
        finish(
          status,
          'Failed',
          `${kind}Failed`,
          `XGBoostJob ${name} is failed because ${c.failed} ${v.type} replica(s) failed.`,
          now,
        )
      }
    }
  }
}
