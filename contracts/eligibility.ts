/**
 * Eligibility workflow contract (`eligibility:<appointmentId>`): the appointment schema the API
 * validates, input and state types, Updates (reschedule, cancel, re-verify) and the Query. Clients
 * import this, never the workflow code. Registered message names never change.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { ServiceDate, Text, X12Text } from '../domain/primitives';
import { Approach, BusinessId, IsoDate, Laterality, Region } from '../domain/claim-document';
import { AuthPackage, levelsOutsideRegion, type Finding } from '../domain/authorization';
import type { EligibilityCheckKind } from '../domain/eligibility';

export const eligibilityWorkflowId = (appointmentId: string): string => `eligibility:${appointmentId}`;

export const APPOINTMENT_STATUSES = ['scheduled', 'verified', 'flagged', 'cancelled', 'completed'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

/** POST /api/appointments body. */
export const Appointment = z
  .object({
    appointmentId: BusinessId,
    practiceId: BusinessId,
    payerId: BusinessId,
    patientId: X12Text(80, 1),
    memberId: X12Text(80, 1).optional(),
    providerNpi: z.string().regex(/^\d{10}$/, 'an NPI is 10 digits'),
    serviceDate: ServiceDate,
    cpts: z.array(z.string().regex(/^[A-Z0-9]{5}$/, 'CPT/HCPCS is 5 characters')).min(1).max(20),
    placeOfService: z.string().regex(/^\d{2}$/, 'place of service is 2 digits'),
    region: Region.optional(),
    approach: Approach.optional(),
    levels: z.array(Text(10, 1)).max(6).optional(),
    laterality: Laterality.optional(),
    /** ELIG-3: weeks of documented failed conservative care; facet: months of axial pain. */
    conservativeCareWeeks: z.number().min(0).optional(),
    axialPainMonths: z.number().min(0).optional(),
    /** An existing authorization this appointment uses. */
    authId: BusinessId.optional(),
    /** The clinical package to send if ELIG-5 starts an authorization. */
    authPackage: AuthPackage.optional(),
  })
  .superRefine((a, ctx) => {
    if (a.levels?.length && a.region) {
      for (const bad of levelsOutsideRegion(a.levels, a.region)) ctx.addIssue({ code: 'custom', path: ['levels', bad.index], message: bad.message });
    }
  });
export type Appointment = z.infer<typeof Appointment>;

export type EligibilityWorkflowInput = {
  appointment: Appointment;
  actor: string;
  /** Continue-as-new after this many history events (tests); default: the server's suggestion only. */
  continueAsNewAfterEvents?: number;
  carried?: EligibilityWorkflowState;
};

export type EligibilityCheckView = {
  seq: number;
  kind: EligibilityCheckKind;
  on: string;
  serviceDate: string;
  result: 'verified' | 'flagged';
  findings: Finding[];
  coverageStatus: string;
};

export type EligibilityWorkflowState = {
  appointmentId: string;
  status: AppointmentStatus;
  serviceDate: string;
  cpts: string[];
  checks: EligibilityCheckView[];
  /** Checks already run for the current date of service (kinds). */
  doneForDate: EligibilityCheckKind[];
  /** Open flags from the last check (rule id + message). */
  flags: Finding[];
  /** ELIG-5: the authorization this appointment uses or started. */
  authorization?: { authId: string; workflowId: string; startedByThisWorkflow: boolean };
  nextCheck?: { ruleId: string; label: string; at: string };
  recheckRequested: boolean;
  waitingFor: string;
  history: Array<{ at: string; status: AppointmentStatus; actor: string; note?: string }>;
  runs: number;
};

export const eligibilityStateQuery = defineQuery<EligibilityWorkflowState>('eligibilityState');

export const RescheduleInput = z.object({ actor: Text(200).optional(), serviceDate: ServiceDate, cpts: z.array(z.string().regex(/^[A-Z0-9]{5}$/)).min(1).optional() });
export type RescheduleInput = z.infer<typeof RescheduleInput>;
export const rescheduleAppointmentUpdate = defineUpdate<EligibilityWorkflowState, [RescheduleInput]>('rescheduleAppointment');

export const CancelAppointmentInput = z.object({ actor: Text(200).optional(), reason: Text(500, 1) });
export type CancelAppointmentInput = z.infer<typeof CancelAppointmentInput>;
export const cancelAppointmentUpdate = defineUpdate<EligibilityWorkflowState, [CancelAppointmentInput]>('cancelAppointment');

export const ReverifyInput = z.object({ actor: Text(200).optional() });
export const reverifyEligibilityUpdate = defineUpdate<EligibilityWorkflowState, [z.infer<typeof ReverifyInput>]>('reverifyEligibility');

export const APPOINTMENT_ACTIONS = {
  reschedule: { update: rescheduleAppointmentUpdate, body: RescheduleInput },
  cancel: { update: cancelAppointmentUpdate, body: CancelAppointmentInput },
  reverify: { update: reverifyEligibilityUpdate, body: ReverifyInput },
} as const;
