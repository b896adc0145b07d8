/**
 * Every error code the API sends (the `code` of a problem+json body, and the last segment of its
 * `type`), as one enum per module, and the one map from code to HTTP status. Codes are part of the
 * contract: clients branch on them, so a value never changes once shipped. The codes live here, not in
 * their modules, because `common/` (the error classes and the filter) must not import from `modules/`.
 * docs/errors.md is generated from this file by `npm run docs:errors`.
 */

/** Errors any route can give: authentication, validation, bodies, the database. */
export enum CommonErrorCode {
  NotFound = 'not-found',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  TooManyRequests = 'too-many-requests',
  ValidationError = 'validation-error',
  MalformedJson = 'malformed-json',
  PayloadTooLarge = 'payload-too-large',
  TooDeeplyNested = 'too-deeply-nested',
  InvalidCharacters = 'invalid-characters',
  InvalidValue = 'invalid-value',
  OutOfRange = 'out-of-range',
  Duplicate = 'duplicate',
  ReferenceConflict = 'reference-conflict',
  Retry = 'retry',
  DatabaseUnavailable = 'database-unavailable',
  DatabaseTimeout = 'database-timeout',
  InternalError = 'internal-error',
}

/** Accounts: registration, profile changes, passwords (merchants, customers and admins alike). */
export enum AuthErrorCode {
  EmailTaken = 'email-taken',
  PhoneTaken = 'phone-taken',
  CurrentPasswordRequired = 'current-password-required',
  WrongPassword = 'wrong-password',
  WeakPassword = 'weak-password',
}

/** A shop's staff: invitations, staff sign-in, and what each staff role may do. */
export enum StaffErrorCode {
  NotForStaff = 'not-for-staff',
  CashierTodayOnly = 'cashier-today-only',
  StaffExists = 'staff-exists',
  ContactRequired = 'staff-contact-required',
  InvitationInvalid = 'invitation-invalid',
  ShopChoiceRequired = 'shop-choice-required',
  NoChange = 'staff-no-change',
}

/** Customers: phone search. */
export enum UserErrorCode {
  PhoneTooShort = 'phone-too-short',
}

/** Sales, bills, history, exports and idempotent writes. */
export enum TransactionErrorCode {
  UserNotFound = 'user-not-found',
  BuyerConflict = 'buyer-conflict',
  BuyerRequired = 'buyer-required',
  OccurredInFuture = 'occurred-in-future',
  OccurredTooEarly = 'occurred-too-early',
  GuestAlreadyUsed = 'guest-already-used',
  NotABill = 'not-a-bill',
  BillAlreadyPaid = 'bill-already-paid',
  AmountExceedsDue = 'amount-exceeds-due',
  InvalidCursor = 'invalid-cursor',
  InvalidRange = 'invalid-range',
  RangeTooLong = 'range-too-long',
  ExportsBusy = 'exports-busy',
  InvalidIdempotencyKey = 'invalid-idempotency-key',
  IdempotencyInFlight = 'idempotency-in-flight',
  IdempotencyKeyReused = 'idempotency-key-reused',
  InvalidCalculation = 'invalid-calculation',
  DivisionByZero = 'division-by-zero',
  AmbiguousPercent = 'ambiguous-percent',
  InvalidTotal = 'invalid-total',
  TotalsDisagree = 'totals-disagree',
  AmountMismatch = 'amount-mismatch',
}

/** The khata: customer accounts, payments on account, voids and edits. */
export enum KhataErrorCode {
  NotAnOpenBill = 'not-an-open-bill',
  SaleVoided = 'sale-voided',
  AlreadyVoided = 'already-voided',
  /** Nothing is owed on the bill or account (a payment link or a reminder asks for money). */
  NothingDue = 'nothing-due',
}

/** UPI payment links and QR codes, receipts and statements. */
export enum UpiErrorCode {
  NotSetUp = 'upi-not-set-up',
}

/** Live updates over Socket.IO and the plain WebSocket paths. */
export enum RealtimeErrorCode {
  UnknownMessage = 'unknown-message',
  MalformedMessage = 'malformed-message',
}

/** The admin panel and its API. */
export enum AdminErrorCode {
  RecordRejected = 'admin-record-rejected',
  LastAdmin = 'last-admin',
  MerchantHasTransactions = 'merchant-has-transactions',
  UserHasTransactions = 'user-has-transactions',
  GuestUsed = 'guest-used',
  CrossSiteRequest = 'cross-site-request',
  PanelUnavailable = 'admin-panel-unavailable',
  FilterNeedsMerchant = 'filter-needs-merchant',
}

/** Payment reminders: composing, schedules, opting out. */
export enum ReminderErrorCode {
  AlreadyRemindedToday = 'already-reminded-today',
  CustomerOptedOut = 'customer-opted-out',
}

export type ErrorCode =
  | CommonErrorCode
  | AuthErrorCode
  | StaffErrorCode
  | UserErrorCode
  | TransactionErrorCode
  | KhataErrorCode
  | UpiErrorCode
  | RealtimeErrorCode
  | AdminErrorCode
  | ReminderErrorCode;

/** The enums by module, in the order docs/errors.md lists them. */
export const ERROR_CODE_MODULES: { module: string; enumName: string; codes: Record<string, ErrorCode> }[] = [
  { module: 'common', enumName: 'CommonErrorCode', codes: CommonErrorCode },
  { module: 'auth', enumName: 'AuthErrorCode', codes: AuthErrorCode },
  { module: 'staff', enumName: 'StaffErrorCode', codes: StaffErrorCode },
  { module: 'users', enumName: 'UserErrorCode', codes: UserErrorCode },
  { module: 'transactions', enumName: 'TransactionErrorCode', codes: TransactionErrorCode },
  { module: 'khata', enumName: 'KhataErrorCode', codes: KhataErrorCode },
  { module: 'upi', enumName: 'UpiErrorCode', codes: UpiErrorCode },
  { module: 'realtime', enumName: 'RealtimeErrorCode', codes: RealtimeErrorCode },
  { module: 'admin', enumName: 'AdminErrorCode', codes: AdminErrorCode },
  { module: 'reminders', enumName: 'ReminderErrorCode', codes: ReminderErrorCode },
];

/** The HTTP status of each code: the one place it is decided. */
export const ERROR_STATUS = {
  [CommonErrorCode.NotFound]: 404,
  [CommonErrorCode.Unauthorized]: 401,
  [CommonErrorCode.Forbidden]: 403,
  [CommonErrorCode.TooManyRequests]: 429,
  [CommonErrorCode.ValidationError]: 422,
  [CommonErrorCode.MalformedJson]: 400,
  [CommonErrorCode.PayloadTooLarge]: 413,
  [CommonErrorCode.TooDeeplyNested]: 400,
  [CommonErrorCode.InvalidCharacters]: 422,
  [CommonErrorCode.InvalidValue]: 422,
  [CommonErrorCode.OutOfRange]: 422,
  [CommonErrorCode.Duplicate]: 409,
  [CommonErrorCode.ReferenceConflict]: 409,
  [CommonErrorCode.Retry]: 503,
  [CommonErrorCode.DatabaseUnavailable]: 503,
  [CommonErrorCode.DatabaseTimeout]: 503,
  [CommonErrorCode.InternalError]: 500,
  [AuthErrorCode.EmailTaken]: 409,
  [AuthErrorCode.PhoneTaken]: 409,
  [AuthErrorCode.CurrentPasswordRequired]: 422,
  [AuthErrorCode.WrongPassword]: 422,
  [AuthErrorCode.WeakPassword]: 422,
  [StaffErrorCode.NotForStaff]: 403,
  [StaffErrorCode.CashierTodayOnly]: 403,
  [StaffErrorCode.StaffExists]: 409,
  [StaffErrorCode.ContactRequired]: 422,
  [StaffErrorCode.InvitationInvalid]: 422,
  [StaffErrorCode.ShopChoiceRequired]: 409,
  [StaffErrorCode.NoChange]: 422,
  [UserErrorCode.PhoneTooShort]: 400,
  [TransactionErrorCode.UserNotFound]: 422,
  [TransactionErrorCode.BuyerConflict]: 422,
  [TransactionErrorCode.BuyerRequired]: 422,
  [TransactionErrorCode.OccurredInFuture]: 422,
  [TransactionErrorCode.OccurredTooEarly]: 422,
  [TransactionErrorCode.GuestAlreadyUsed]: 409,
  [TransactionErrorCode.NotABill]: 409,
  [TransactionErrorCode.BillAlreadyPaid]: 409,
  [TransactionErrorCode.AmountExceedsDue]: 422,
  [TransactionErrorCode.InvalidCursor]: 422,
  [TransactionErrorCode.InvalidRange]: 422,
  [TransactionErrorCode.RangeTooLong]: 422,
  [TransactionErrorCode.ExportsBusy]: 503,
  [TransactionErrorCode.InvalidIdempotencyKey]: 422,
  [TransactionErrorCode.IdempotencyInFlight]: 409,
  [TransactionErrorCode.IdempotencyKeyReused]: 422,
  [TransactionErrorCode.InvalidCalculation]: 422,
  [TransactionErrorCode.DivisionByZero]: 422,
  [TransactionErrorCode.AmbiguousPercent]: 422,
  [TransactionErrorCode.InvalidTotal]: 422,
  [TransactionErrorCode.TotalsDisagree]: 422,
  [TransactionErrorCode.AmountMismatch]: 422,
  [KhataErrorCode.NotAnOpenBill]: 422,
  [KhataErrorCode.SaleVoided]: 409,
  [KhataErrorCode.AlreadyVoided]: 409,
  [KhataErrorCode.NothingDue]: 409,
  [UpiErrorCode.NotSetUp]: 409,
  [RealtimeErrorCode.UnknownMessage]: 400,
  [RealtimeErrorCode.MalformedMessage]: 400,
  [AdminErrorCode.RecordRejected]: 422,
  [AdminErrorCode.LastAdmin]: 422,
  [AdminErrorCode.MerchantHasTransactions]: 422,
  [AdminErrorCode.UserHasTransactions]: 422,
  [AdminErrorCode.GuestUsed]: 422,
  [AdminErrorCode.CrossSiteRequest]: 403,
  [AdminErrorCode.PanelUnavailable]: 503,
  [AdminErrorCode.FilterNeedsMerchant]: 422,
  [ReminderErrorCode.AlreadyRemindedToday]: 409,
  [ReminderErrorCode.CustomerOptedOut]: 409,
} as const satisfies Record<ErrorCode, number>;

export type ErrorStatus = (typeof ERROR_STATUS)[ErrorCode];

/** The codes whose status is `S`: what a status-named error class (e.g. a 409) may carry. */
export type CodeWithStatus<S extends ErrorStatus> = {
  [C in ErrorCode]: (typeof ERROR_STATUS)[C] extends S ? C : never;
}[ErrorCode];

/** The problem `title` of a domain error, by status (the wording clients have always seen). */
export const ERROR_TITLE: Record<ErrorStatus, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
