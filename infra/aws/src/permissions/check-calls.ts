import type { RecordedCall } from '@stitch/messaging-aws';
import { iamRequestsOf, type ArnScope, type IamRequest } from './iam-actions';
import { isAllowed, statementsOf, type CfnTemplate } from './template-policies';

export function describeRequest({ action, resource }: IamRequest): string {
  return `${action} on ${resource}`;
}

/** Per service (sorted), each distinct authorization its recorded calls needed, sorted by action, then resource. */
export function requestsByService(calls: readonly RecordedCall[], scope: ArnScope): Map<string, IamRequest[]> {
  const byService = new Map<string, Map<string, IamRequest>>();
  for (const call of calls) {
    const requests = byService.get(call.service) ?? new Map<string, IamRequest>();
    for (const request of iamRequestsOf(call, scope)) requests.set(describeRequest(request), request);
    byService.set(call.service, requests);
  }
  return new Map(
    [...byService]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([service, requests]) => [service, [...requests].sort(([a], [b]) => a.localeCompare(b)).map(([, request]) => request)]),
  );
}

/**
 * Every recorded call that the IAM role the template gives its service does not allow, once each, as
 * `service: action on resource`. A service without a tagged role, or a policy this check cannot read, is an error.
 */
export function deniedCalls(template: CfnTemplate, calls: readonly RecordedCall[], scope: ArnScope): string[] {
  const denied: string[] = [];
  for (const [service, requests] of requestsByService(calls, scope)) {
    const statements = statementsOf(template, service, scope);
    for (const request of requests) {
      if (!isAllowed(statements, request.action, request.resource)) denied.push(`${service}: ${describeRequest(request)}`);
    }
  }
  return denied;
}
