import { Injectable, Logger } from '@nestjs/common';
import { requestContext } from '../../common/logging/request-context.js';
import { adminRequestContext, type AdminIdentity } from './admin-request.js';
import { AdminRepository, type AuditEntry } from './admin.repository.js';

/** What an action was, as its caller tells it; who and from where are filled in here. */
export type AuditEvent = Omit<AuditEntry, 'adminId' | 'adminEmail' | 'ip' | 'requestId'>;

/** The audit trail of the admin panel: every sign-in, read and write, with its outcome. */
@Injectable()
export class AdminAuditService {
  private readonly logger = new Logger('AdminAudit');

  constructor(private readonly repo: AdminRepository) {}

  /**
   * Records an admin action: a structured log line, and a row in `admin_audit_log` with the caller's
   * address and request id. A failure to write the row is logged, never thrown at the admin.
   */
  async record(actor: AdminIdentity | null, event: AuditEvent): Promise<void> {
    const entry: AuditEntry = {
      ...event,
      adminId: actor?.id ?? null,
      adminEmail: actor?.email ?? null,
      ip: adminRequestContext.getStore()?.ip ?? null,
      requestId: requestContext.getStore()?.requestId ?? null,
    };
    this.logger.log({
      msg: 'admin action',
      admin_id: entry.adminId,
      admin_email: entry.adminEmail,
      action: entry.action,
      resource: entry.resource,
      record_id: entry.recordId,
      outcome: entry.outcome,
      details: entry.details,
      ip: entry.ip,
    });
    try {
      await this.repo.insertAudit(entry);
    } catch (err) {
      this.logger.error({ msg: 'could not write the admin audit log', err });
    }
  }
}
