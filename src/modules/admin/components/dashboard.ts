// A browser component: AdminJS bundles it (rollup + babel) into components.bundle.js, where `react`,
// `adminjs` and `@adminjs/design-system` are the page's globals. Written without JSX so the API's
// TypeScript build compiles it as is.
import { Box, H2, H5, Text } from '@adminjs/design-system';
import { ApiClient } from 'adminjs';
import React, { useEffect, useState } from 'react';

/** AdminDashboardDto, as the dashboard handler returns it. */
interface Totals {
  timezone: string;
  merchants: { total: number; active: number };
  users: number;
  guest_users: number;
  today: { from: string; transactions: number; sales: number };
  outstanding: { bills: number; amount: number };
}

const h = React.createElement;
const api = new ApiClient();
const rupees = new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR' });
const count = new Intl.NumberFormat('en-IN');

function Card(props: { id: string; title: string; value: string; note: string }) {
  return h(
    Box,
    { 'data-testid': `total-${props.id}`, variant: 'card', flex: '1 1 220px', m: 'lg', p: 'xl' },
    h(H5, null, props.title),
    h(H2, { mt: 'md' }, props.value),
    h(Text, { color: 'grey60' }, props.note),
  );
}

export default function Dashboard() {
  const [totals, setTotals] = useState<Totals | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    api.getDashboard().then(
      (response) => setTotals(response.data as Totals),
      () => setFailed(true),
    );
  }, []);

  if (failed) return h(Box, { p: 'xl' }, h(Text, null, 'The totals could not be loaded.'));
  if (!totals) return h(Box, { p: 'xl' }, h(Text, null, 'Loading totals…'));
  const day = new Date(totals.today.from).toLocaleDateString('en-IN', { timeZone: totals.timezone });
  return h(
    Box,
    { variant: 'grey', p: 'lg' },
    h(H2, { ml: 'lg' }, 'GraminStore at a glance'),
    h(
      Box,
      { flex: true, flexDirection: 'row', flexWrap: 'wrap' },
      h(Card, {
        id: 'merchants',
        title: 'Merchants',
        value: count.format(totals.merchants.total),
        note: `${count.format(totals.merchants.active)} active`,
      }),
      h(Card, {
        id: 'users',
        title: 'Customers',
        value: count.format(totals.users),
        note: `and ${count.format(totals.guest_users)} guest buyers`,
      }),
      h(Card, {
        id: 'today',
        title: 'Transactions today',
        value: count.format(totals.today.transactions),
        note: `${rupees.format(totals.today.sales)} on ${day} (${totals.timezone})`,
      }),
      h(Card, {
        id: 'outstanding',
        title: 'Outstanding dues',
        value: rupees.format(totals.outstanding.amount),
        note: `${count.format(totals.outstanding.bills)} open bills`,
      }),
    ),
  );
}
