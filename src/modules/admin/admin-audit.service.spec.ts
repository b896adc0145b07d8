import { requestContext } from '../../common/logging/request-context.js';
import { AdminAuditService } from './admin-audit.service.js';
import { adminRequestContext } from './admin-request.js';
import type { AdminRepository, AuditEntry } from './admin.repository.js';

/** A repository with only the methods a test gives it. */
const fake = <T>(methods: Partial<T>) => methods as T;

describe('AdminAuditService', () => {
  const admin = { id: 7, email: 'ops@graminstore.com', name: 'Ops' };

  it('records who did it, from which address and in which request', async () => {
    const rows: AuditEntry[] = [];
    const audit = new AdminAuditService(
      fake<AdminRepository>({ insertAudit: async (e) => void rows.push(e) }),
    );
    await requestContext.run({ requestId: 'req-1' }, () =>
      adminRequestContext.run({ ip: '203.0.113.9' }, () =>
        audit.record(admin, { action: 'edit', resource: 'users', recordId: '3', outcome: 'ok' }),
      ),
    );
    expect(rows).toEqual([
      {
        action: 'edit',
        resource: 'users',
        recordId: '3',
        outcome: 'ok',
        adminId: 7,
        adminEmail: 'ops@graminstore.com',
        ip: '203.0.113.9',
        requestId: 'req-1',
      },
    ]);
  });

  it('records an anonymous attempt outside any request with nulls', async () => {
    const rows: AuditEntry[] = [];
    const audit = new AdminAuditService(
      fake<AdminRepository>({ insertAudit: async (e) => void rows.push(e) }),
    );
    await audit.record(null, { action: 'login', outcome: 'rejected', details: { email: 'x@y.in' } });
    expect(rows[0]).toMatchObject({ adminId: null, adminEmail: null, ip: null, requestId: null });
  });

  it('never throws at the admin when the row cannot be written', async () => {
    const audit = new AdminAuditService(
      fake<AdminRepository>({
        insertAudit: () => Promise.reject(new Error('connection terminated')),
      }),
    );
    await expect(audit.record(admin, { action: 'list', outcome: 'ok' })).resolves.toBeUndefined();
  });
});
