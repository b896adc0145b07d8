import { InitialSchema1795478400000 } from '../../migrations/1795478400000-InitialSchema.js';
import { DashboardRollups1795564800000 } from '../../migrations/1795564800000-DashboardRollups.js';
import { AdminPanel1795651200000 } from '../../migrations/1795651200000-AdminPanel.js';
import { CustomerShopRelations1796163519407 } from '../../migrations/1796163519407-CustomerShopRelations.js';
import { NormalisePhones1796164390187 } from '../../migrations/1796164390187-NormalisePhones.js';
import { SuperAdmin1796167479943 } from '../../migrations/1796167479943-SuperAdmin.js';
import { StandaloneMerchantTables1796200000000 } from '../../migrations/1796200000000-StandaloneMerchantTables.js';
import { CustomerAccounts1796300000000 } from '../../migrations/1796300000000-CustomerAccounts.js';
import { StaffAccounts1796320000000 } from '../../migrations/1796320000000-StaffAccounts.js';
import { MerchantUpi1796330000000 } from '../../migrations/1796330000000-MerchantUpi.js';
import { Reminders1796340000000 } from '../../migrations/1796340000000-Reminders.js';
import { CustomerViewsFromIndex1796350000000 } from '../../migrations/1796350000000-CustomerViewsFromIndex.js';
import { KhataBackfillProbes1796360000000 } from '../../migrations/1796360000000-KhataBackfillProbes.js';
import { ForeignKeyIndexes1796370000000 } from '../../migrations/1796370000000-ForeignKeyIndexes.js';
import { RollupRebuildByIndex1796380000000 } from '../../migrations/1796380000000-RollupRebuildByIndex.js';

/** Every migration, in order. A new migration file is added here too. */
export const MIGRATIONS = [
  InitialSchema1795478400000,
  DashboardRollups1795564800000,
  AdminPanel1795651200000,
  CustomerShopRelations1796163519407,
  NormalisePhones1796164390187,
  SuperAdmin1796167479943,
  StandaloneMerchantTables1796200000000,
  CustomerAccounts1796300000000,
  StaffAccounts1796320000000,
  MerchantUpi1796330000000,
  Reminders1796340000000,
  CustomerViewsFromIndex1796350000000,
  KhataBackfillProbes1796360000000,
  ForeignKeyIndexes1796370000000,
  RollupRebuildByIndex1796380000000,
];
