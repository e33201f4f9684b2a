/**
 * Table-driven rule tests: for every rule ID, claims that trigger it and near-misses that must not.
 * Each case derives from a clean fixture (see fixtures.ts) with one change.
 */
import { describe, expect, it } from 'vitest';
import type { Severity } from './schemas';
import { type ScrubFixture, bilateralTfesiCommercial, bilateralTfesiMedicare, emWithProcedureMedicare, interlaminarMedicaid, mbbMedicare, rfaWithAuthCommercial, scsImplant2026MedicareAdvantage, scsTrialCommercial, stellateGanglionWithFluoroscopy, variant } from './fixtures';
import { scrubClaim } from './index';
import { MEDICARE } from '../payer-policy';

type Trigger = {
  name: string;
  fixture: ScrubFixture;
  severity: Severity;
  line?: number;
  /** Substrings the message / fix must contain. */
  message?: string;
  fix?: string;
};
type NearMiss = { name: string; fixture: ScrubFixture };
type RuleTable = { ruleId: string; triggers: Trigger[]; nearMisses: NearMiss[] };

const tables: RuleTable[] = [
  {
    ruleId: 'CODE-1',
    triggers: [
      {
        name: 'flags 62323 when the note documents a left transforaminal injection at two levels',
        fixture: variant(bilateralTfesiCommercial, (f) => {
          f.claim.lines = [{ cpt: '62323', units: 1, chargeCents: 90_000, diagnosisPointers: [1] }];
          f.claim.documentation!.procedures![0].laterality = 'left';
          f.context.authorization = undefined;
        }),
        severity: 'error',
        line: 1,
        fix: 'bill 64483-LT + 64484-LT instead of 62323',
      },
      {
        name: 'flags 64483 when the note documents an interlaminar injection',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.documentation!.procedures![0].approach = 'interlaminar';
          f.claim.documentation!.procedures![0].laterality = 'midline';
        }),
        severity: 'error',
        line: 2,
        fix: '62323',
      },
      {
        name: 'warns when an ESI is billed with no procedure note facts (approach unverifiable)',
        fixture: variant(interlaminarMedicaid, (f) => {
          f.claim.documentation = undefined;
        }),
        severity: 'warning',
        line: 1,
      },
    ],
    nearMisses: [
      { name: 'transforaminal code with a documented transforaminal injection', fixture: bilateralTfesiMedicare() },
      { name: '62323 with a documented interlaminar injection', fixture: interlaminarMedicaid() },
      {
        name: '62323 with a documented caudal injection',
        fixture: variant(interlaminarMedicaid, (f) => {
          f.claim.documentation!.procedures![0].approach = 'caudal';
          f.context.authorization!.approach = 'caudal';
        }),
      },
    ],
  },
  {
    ruleId: 'CODE-2',
    triggers: [
      {
        name: 'flags lumbar 64483 when the note documents a cervical transforaminal injection',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.documentation!.procedures![0].region = 'cervical';
          f.claim.documentation!.procedures![0].levels = ['C5-C6'];
        }),
        severity: 'error',
        line: 2,
        fix: 'Bill 64479',
      },
      {
        name: 'flags cervical facet 64490 when the note documents lumbar medial branch blocks',
        fixture: variant(mbbMedicare, (f) => {
          f.claim.lines[0].cpt = '64490';
          f.claim.lines[1].cpt = '64491';
        }),
        severity: 'error',
        fix: '64493',
      },
    ],
    nearMisses: [
      { name: 'lumbar codes for a lumbar note', fixture: mbbMedicare() },
      {
        name: 'sacral note billed with lumbar/sacral codes',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.documentation!.procedures![0].region = 'sacral';
        }),
      },
    ],
  },
  {
    ruleId: 'CODE-3',
    triggers: [
      {
        name: 'flags add-on 64484 billed without its primary 64483',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.claim.lines = [f.claim.lines[1]];
          f.claim.documentation = undefined;
        }),
        severity: 'error',
        line: 1,
        message: 'without its primary code 64483',
      },
      {
        name: 'warns when two levels are documented but only the primary is billed (missed add-on)',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.claim.lines = [f.claim.lines[0]];
        }),
        severity: 'warning',
        line: 1,
        fix: '64484',
      },
      {
        name: 'flags more add-on levels than documented',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.claim.documentation!.procedures![0].levels = ['L5-S1'];
        }),
        severity: 'error',
      },
      {
        name: 'flags third-level facet 64495 for Medicare (facet sessions at most 2 levels)',
        fixture: variant(mbbMedicare, (f) => {
          f.claim.lines.push({ cpt: '64495', modifiers: ['50'], units: 1, chargeCents: 35_000, diagnosisPointers: [1] });
          f.claim.documentation!.procedures![0].levels = ['L3-L4', 'L4-L5', 'L5-S1'];
        }),
        severity: 'error',
        line: 3,
        message: 'not billable to Medicare',
      },
      {
        name: 'flags 64495 billed more than once for Medicaid',
        fixture: variant(mbbMedicare, (f) => {
          f.claim.payerId = 'MEDICAID';
          f.claim.priorAuthNumber = 'MCD-1';
          f.claim.lines.push({ cpt: '64495', modifiers: ['50'], units: 2, chargeCents: 70_000, diagnosisPointers: [1] });
          f.claim.documentation!.procedures![0].levels = ['L2-L3', 'L3-L4', 'L4-L5', 'L5-S1'];
        }),
        severity: 'error',
        line: 3,
        message: 'only once',
      },
      {
        name: 'flags a primary code billed with 2 units for two levels',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines[1].units = 2;
          f.claim.lines[1].chargeCents = 160_000;
        }),
        severity: 'error',
        line: 2,
        fix: '64484',
      },
    ],
    nearMisses: [
      { name: 'one add-on per additional documented level', fixture: bilateralTfesiMedicare() },
      {
        name: 'three-level facet session for Medicaid with 64495 once',
        fixture: variant(mbbMedicare, (f) => {
          f.claim.payerId = 'MEDICAID';
          f.claim.priorAuthNumber = 'MCD-1';
          f.claim.lines.push({ cpt: '64495', modifiers: ['50'], units: 1, chargeCents: 35_000, diagnosisPointers: [1] });
          f.claim.documentation!.procedures![0].levels = ['L3-L4', 'L4-L5', 'L5-S1'];
        }),
      },
      {
        name: 'three documented facet levels for Medicare billed at the 2-level cap',
        fixture: variant(mbbMedicare, (f) => {
          f.claim.documentation!.procedures![0].levels = ['L3-L4', 'L4-L5', 'L5-S1'];
        }),
      },
    ],
  },
  {
    ruleId: 'CODE-4',
    triggers: [
      {
        name: 'flags cervical/thoracic RFA 64633 when the note documents lumbar joints',
        fixture: variant(rfaWithAuthCommercial, (f) => {
          f.claim.lines[0].cpt = '64633';
          f.claim.lines[1].cpt = '64634';
          f.context.authorization!.cpts = ['64633', '64634'];
        }),
        severity: 'error',
        line: 1,
        fix: 'Bill 64635',
      },
    ],
    nearMisses: [
      { name: 'lumbar RFA 64635/64636 for lumbar joints', fixture: rfaWithAuthCommercial() },
      {
        name: 'thoracic RFA 64633/64634 for thoracic joints',
        fixture: variant(rfaWithAuthCommercial, (f) => {
          f.claim.lines[0].cpt = '64633';
          f.claim.lines[1].cpt = '64634';
          f.claim.documentation!.procedures![0].region = 'thoracic';
          f.claim.documentation!.procedures![0].levels = ['T10-T11', 'T11-T12'];
          f.context.authorization = { ...f.context.authorization!, cpts: ['64633', '64634'], region: 'thoracic', levels: ['T10-T11', 'T11-T12'] };
        }),
      },
    ],
  },
  {
    ruleId: 'CODE-5',
    triggers: [
      {
        name: 'flags a 2026 SCS implant claim without device code C1607',
        fixture: variant(scsImplant2026MedicareAdvantage, (f) => {
          f.claim.lines = f.claim.lines.filter((l) => l.cpt !== 'C1607');
        }),
        severity: 'error',
        line: 2,
        fix: 'C1607',
      },
      {
        name: 'flags a 2026 documented implant billed with permanent leads only',
        fixture: variant(scsImplant2026MedicareAdvantage, (f) => {
          f.claim.lines = [f.claim.lines[0]];
        }),
        severity: 'error',
        line: 1,
      },
    ],
    nearMisses: [
      { name: '2026 implant with C1607', fixture: scsImplant2026MedicareAdvantage() },
      { name: '2026 SCS trial (not an implant)', fixture: scsTrialCommercial() },
      {
        name: '2025 implant without C1607',
        fixture: variant(scsImplant2026MedicareAdvantage, (f) => {
          f.claim.lines = f.claim.lines.filter((l) => l.cpt !== 'C1607');
          f.claim.serviceDate = '2025-12-15';
          f.context.asOf = '2025-12-16';
          f.context.authorization!.validFrom = '2025-12-01';
        }),
      },
    ],
  },
  {
    ruleId: 'CODE-6',
    triggers: [
      {
        name: 'flags 77003 billed with 64483 (guidance included)',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines.push({ cpt: '77003', units: 1, chargeCents: 20_000, diagnosisPointers: [1] });
        }),
        severity: 'error',
        line: 3,
        message: 'included in 64483',
      },
      {
        name: 'flags 77003 billed with 62322 and says to bill 62323 instead',
        fixture: variant(interlaminarMedicaid, (f) => {
          f.claim.lines = [
            { cpt: '62322', units: 1, chargeCents: 60_000, diagnosisPointers: [1] },
            { cpt: '77003', units: 1, chargeCents: 20_000, diagnosisPointers: [1] },
          ];
          f.context.authorization!.cpts = ['62322'];
        }),
        severity: 'error',
        line: 2,
        fix: 'Bill 62323',
      },
      {
        name: 'flags 77003 without a permanent image record',
        fixture: variant(stellateGanglionWithFluoroscopy, (f) => {
          f.claim.documentation!.procedures![0].permanentImageRecorded = false;
        }),
        severity: 'error',
        line: 2,
        message: 'permanent image',
      },
      {
        name: 'flags 77003 without a separate interpretation',
        fixture: variant(stellateGanglionWithFluoroscopy, (f) => {
          delete f.claim.documentation!.procedures![0].separateInterpretation;
        }),
        severity: 'error',
        message: 'interpretation',
      },
      {
        name: 'flags 76942 when the note documents fluoroscopy, not ultrasound',
        fixture: variant(stellateGanglionWithFluoroscopy, (f) => {
          f.claim.lines[1].cpt = '76942';
        }),
        severity: 'error',
        message: 'ultrasound',
      },
    ],
    nearMisses: [
      { name: '77003 with 64510 and a saved image and separate interpretation', fixture: stellateGanglionWithFluoroscopy() },
      { name: '64483 without a guidance line', fixture: emWithProcedureMedicare() },
    ],
  },
  {
    ruleId: 'CODE-7',
    triggers: [
      {
        name: 'flags documented fluoroscopy for a stellate ganglion block that is not billed (missed revenue)',
        fixture: variant(stellateGanglionWithFluoroscopy, (f) => {
          f.claim.lines = [f.claim.lines[0]];
        }),
        severity: 'warning',
        line: 1,
        fix: '77003',
      },
      {
        name: 'flags 62322 when the note documents fluoroscopy (bill 62323)',
        fixture: variant(interlaminarMedicaid, (f) => {
          f.claim.lines[0].cpt = '62322';
          f.context.authorization!.cpts = ['62322'];
        }),
        severity: 'warning',
        line: 1,
        fix: '62323',
      },
    ],
    nearMisses: [
      {
        name: 'stellate ganglion block documented without guidance',
        fixture: variant(stellateGanglionWithFluoroscopy, (f) => {
          f.claim.lines = [f.claim.lines[0]];
          f.claim.documentation!.procedures![0].guidance = 'none';
        }),
      },
      {
        name: 'stellate ganglion guidance without a saved image (not billable, so not missed)',
        fixture: variant(stellateGanglionWithFluoroscopy, (f) => {
          f.claim.lines = [f.claim.lines[0]];
          f.claim.documentation!.procedures![0].permanentImageRecorded = false;
        }),
      },
      { name: 'fluoroscopy with 64483 (included, nothing to bill)', fixture: bilateralTfesiMedicare() },
    ],
  },
  {
    ruleId: 'CODE-8',
    triggers: [
      {
        name: 'flags RT + LT lines for Medicare, which wants one line with modifier 50',
        fixture: variant(bilateralTfesiCommercial, (f) => {
          f.claim.payerId = 'MEDICARE';
        }),
        severity: 'error',
        fix: '64483-50',
      },
      {
        name: 'flags modifier 50 for a commercial payer that wants RT + LT lines',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.claim.payerId = 'COMMERCIAL';
          f.claim.priorAuthNumber = 'PA-1';
        }),
        severity: 'error',
        fix: '64483-RT and 64483-LT',
      },
      {
        name: 'flags a documented bilateral MBB billed on the right side only',
        fixture: variant(mbbMedicare, (f) => {
          f.claim.lines[0].modifiers = ['RT'];
          f.claim.lines[1].modifiers = ['RT'];
        }),
        severity: 'error',
        line: 1,
        message: 'bilateral',
      },
      {
        name: 'flags RT billed when the note documents the left side',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.documentation!.procedures![0].laterality = 'left';
        }),
        severity: 'error',
        line: 2,
        fix: '64483-LT',
      },
      {
        name: 'flags modifier 50 on a unilateral documented procedure',
        fixture: variant(rfaWithAuthCommercial, (f) => {
          f.claim.lines[0].modifiers = ['50'];
        }),
        severity: 'error',
        line: 1,
      },
      {
        name: 'warns when a unilateral procedure has no RT/LT',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines[1].modifiers = [];
        }),
        severity: 'warning',
        line: 2,
      },
    ],
    nearMisses: [
      { name: 'Medicare bilateral with 50', fixture: bilateralTfesiMedicare() },
      { name: 'commercial bilateral with RT + LT', fixture: bilateralTfesiCommercial() },
      { name: 'unilateral RT documented right', fixture: rfaWithAuthCommercial() },
    ],
  },
  {
    ruleId: 'CODE-9',
    triggers: [
      {
        name: 'flags an E/M billed with a same-day procedure without modifier 25',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines[0].modifiers = [];
        }),
        severity: 'error',
        line: 1,
        fix: 'modifier 25',
      },
      {
        name: 'flags 99214-25 when the note says the E/M was not separately identifiable',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.documentation!.em!.separatelyIdentifiable = false;
        }),
        severity: 'error',
        line: 1,
      },
      {
        name: 'warns about modifier 25 on an E/M with no same-day procedure',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines = [f.claim.lines[0]];
          f.claim.documentation!.procedures = [];
        }),
        severity: 'warning',
        line: 1,
      },
      {
        name: 'flags modifier 25 on a procedure code',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines[1].modifiers = ['RT', '25'];
        }),
        severity: 'error',
        line: 2,
      },
    ],
    nearMisses: [
      { name: '99214-25 with a documented separately identifiable E/M', fixture: emWithProcedureMedicare() },
      {
        name: 'E/M alone without modifier 25',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines = [{ ...f.claim.lines[0], modifiers: [] }];
          f.claim.documentation!.procedures = [];
        }),
      },
    ],
  },
  {
    ruleId: 'CODE-10',
    triggers: [
      {
        name: 'flags 62323 billed with 64483 (NCCI PTP indicator 1) without a distinct-procedure modifier',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines.push({ cpt: '62323', units: 1, chargeCents: 60_000, diagnosisPointers: [1] });
          f.claim.documentation!.procedures!.push({ family: 'esi', approach: 'interlaminar', region: 'lumbar', levels: ['L3-L4'], laterality: 'midline' });
        }),
        severity: 'error',
        line: 3,
        fix: 'XS',
      },
      {
        name: 'flags 62322 with 62323 (indicator 0) even with modifier 59',
        fixture: variant(interlaminarMedicaid, (f) => {
          f.claim.lines.push({ cpt: '62322', modifiers: ['59'], units: 1, chargeCents: 60_000, diagnosisPointers: [1] });
        }),
        severity: 'error',
        line: 2,
        message: 'never billable',
      },
      {
        name: 'warns about modifier 59 on a line that is not bundled with anything',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines[1].modifiers = ['RT', '59'];
        }),
        severity: 'warning',
        line: 2,
      },
    ],
    nearMisses: [
      {
        name: '62323 billed with 64483 and XS for a distinct level',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines.push({ cpt: '62323', modifiers: ['XS'], units: 1, chargeCents: 60_000, diagnosisPointers: [1] });
          f.claim.documentation!.procedures!.push({ family: 'esi', approach: 'interlaminar', region: 'lumbar', levels: ['L3-L4'], laterality: 'midline' });
        }),
      },
      { name: 'a claim without bundled pairs', fixture: bilateralTfesiCommercial() },
    ],
  },
  {
    ruleId: 'CODE-11',
    triggers: [
      {
        name: 'flags 99215 as over-coded when moderate MDM and 32 minutes support 99214',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines[0].cpt = '99215';
          f.claim.lines[0].chargeCents = 25_000;
        }),
        severity: 'error',
        line: 1,
        fix: 'Bill 99214',
      },
      {
        name: 'flags 99213 as under-coded when two chronic conditions with prescription management support 99214',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines[0].cpt = '99213';
          f.claim.documentation!.em = { newPatient: false, mdm: 'low', totalMinutes: 22, separatelyIdentifiable: true, chronicConditions: 2, prescriptionDrugManagement: true };
        }),
        severity: 'warning',
        line: 1,
        message: 'supports 99214',
      },
      {
        name: 'flags a new-patient code for an established patient',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines[0].cpt = '99204';
        }),
        severity: 'error',
        line: 1,
        fix: '99214',
      },
      {
        name: 'warns when the E/M has no MDM or time documented',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.documentation!.em = { newPatient: false, separatelyIdentifiable: true };
        }),
        severity: 'warning',
        line: 1,
      },
    ],
    nearMisses: [
      { name: '99214 with moderate MDM', fixture: emWithProcedureMedicare() },
      {
        name: '99215 supported by 45 minutes of total time despite low MDM',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines[0].cpt = '99215';
          f.claim.lines[0].chargeCents = 25_000;
          f.claim.documentation!.em = { newPatient: false, mdm: 'low', totalMinutes: 45, separatelyIdentifiable: true };
        }),
      },
      {
        name: 'new patient 99204 at 45 minutes',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines[0].cpt = '99204';
          f.claim.documentation!.em = { newPatient: true, totalMinutes: 45, separatelyIdentifiable: true };
        }),
      },
    ],
  },
  {
    ruleId: 'CHG-3',
    triggers: [
      {
        name: 'flags a rendering NPI with a bad check digit',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.claim.renderingNpi = '1234567890';
        }),
        severity: 'error',
        message: 'NPI',
      },
      {
        name: 'flags a provider not enrolled with the payer',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.context.providerEnrollment = { active: false };
        }),
        severity: 'error',
      },
      {
        name: 'flags a date of service before the enrollment effective date',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.context.providerEnrollment = { active: true, effectiveDate: '2026-04-01' };
        }),
        severity: 'error',
        message: '2026-04-01',
      },
      {
        name: 'flags a date of service after the enrollment ended',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.context.providerEnrollment = { active: true, effectiveDate: '2020-01-01', endDate: '2026-03-01' };
        }),
        severity: 'error',
      },
    ],
    nearMisses: [
      {
        name: 'valid NPI enrolled over the date of service',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.context.providerEnrollment = { active: true, effectiveDate: '2026-03-10', endDate: '2026-03-10' };
        }),
      },
      { name: 'no enrollment in context (taken as enrolled)', fixture: bilateralTfesiMedicare() },
    ],
  },
  {
    ruleId: 'CHG-4',
    triggers: [
      {
        name: 'flags a TFESI billed with telehealth place of service 10',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.placeOfService = '10';
        }),
        severity: 'error',
        line: 2,
      },
      {
        name: 'flags imaging guidance with telehealth place of service 02',
        fixture: variant(stellateGanglionWithFluoroscopy, (f) => {
          f.claim.placeOfService = '02';
        }),
        severity: 'error',
        line: 2,
      },
      {
        name: 'warns about an unknown place of service',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.claim.placeOfService = '77';
        }),
        severity: 'warning',
      },
    ],
    nearMisses: [
      {
        name: 'E/M alone by telehealth in the patient home (POS 10)',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.placeOfService = '10';
          f.claim.lines = [{ ...f.claim.lines[0], modifiers: [] }];
          f.claim.documentation!.procedures = [];
        }),
      },
      { name: 'procedure in an ASC (POS 24)', fixture: bilateralTfesiMedicare() },
    ],
  },
  {
    ruleId: 'CHG-5',
    triggers: [
      {
        name: 'flags a charge below the 2026 allowable',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines[0].chargeCents = 10_000;
        }),
        severity: 'warning',
        line: 1,
        message: '$130.20',
      },
      {
        name: 'flags a bilateral (modifier 50) charge below 150% of the allowable',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.claim.lines[0].chargeCents = 30_000;
        }),
        severity: 'warning',
        line: 1,
        message: '150%',
      },
      {
        name: 'flags a fee schedule not updated for the service year',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.context.feeSchedule = { year: 2025, allowableCents: { '64483': 25_000 } };
        }),
        severity: 'warning',
        message: '2025',
      },
    ],
    nearMisses: [
      {
        name: 'charge exactly at the allowable',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines[0].chargeCents = 13_020;
        }),
      },
      {
        name: 'bilateral charge exactly at 150% of a contracted allowable from context',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.context.feeSchedule = { year: 2026, allowableCents: { '64483': 50_000, '64484': 20_000 } };
          f.claim.lines[0].chargeCents = 75_000;
          f.claim.lines[1].chargeCents = 30_000;
        }),
      },
    ],
  },
  {
    ruleId: 'SUB-1',
    triggers: [
      {
        name: 'flags a claim whose payer has no payer policy',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.claim.payerId = 'ACME_HEALTH';
        }),
        severity: 'error',
        message: 'ACME_HEALTH',
      },
    ],
    nearMisses: [
      { name: 'a known payer', fixture: bilateralTfesiMedicare() },
      {
        name: 'a named payer configured with a complete policy in the context',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.claim.payerId = 'ACME_HEALTH';
          const { payerId: _id, ...policy } = MEDICARE;
          f.context.payerPolicy = { ...policy, name: 'Acme Health' };
        }),
      },
    ],
  },
  {
    ruleId: 'SUB-2',
    triggers: [
      {
        name: 'flags a facet block pointing only at radiculopathy (M54.16), not spondylosis',
        fixture: variant(mbbMedicare, (f) => {
          f.claim.diagnoses = ['M54.16'];
        }),
        severity: 'error',
        line: 1,
        fix: 'M47.81x',
      },
      {
        name: 'flags an ESI pointing only at spondylosis without radiculopathy (M47.816)',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines[1].diagnosisPointers = [2];
        }),
        severity: 'error',
        line: 2,
      },
      {
        name: 'warns when a covered diagnosis is not the first pointer',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines[1].diagnosisPointers = [3, 1];
        }),
        severity: 'warning',
        line: 2,
        fix: 'M54.17',
      },
    ],
    nearMisses: [
      { name: 'facet block for lumbar spondylosis M47.816', fixture: mbbMedicare() },
      {
        name: 'diagnosis written without the dot (M47816)',
        fixture: variant(mbbMedicare, (f) => {
          f.claim.diagnoses = ['M47816'];
        }),
      },
      {
        name: 'a payer override that covers radiculopathy for facet procedures',
        fixture: variant(mbbMedicare, (f) => {
          f.claim.diagnoses = ['M54.16'];
          f.context.payerPolicy = { coveredDiagnoses: { facet: ['M54.1'] } };
        }),
      },
    ],
  },
  {
    ruleId: 'SUB-3',
    triggers: [
      {
        name: 'flags a commercial TFESI without an authorization number on every line',
        fixture: variant(bilateralTfesiCommercial, (f) => {
          delete f.claim.priorAuthNumber;
        }),
        severity: 'error',
        line: 4,
      },
      {
        name: 'flags a Medicare line when the policy is configured to require auth for 64483',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.context.payerPolicy = { priorAuthCpts: ['64483'] };
        }),
        severity: 'error',
        line: 2,
      },
      {
        name: 'flags an authorization number that is not the one on file',
        fixture: variant(bilateralTfesiCommercial, (f) => {
          f.claim.priorAuthNumber = 'PA-000000';
        }),
        severity: 'error',
      },
    ],
    nearMisses: [
      { name: 'Medicare ESI without auth (not required by default)', fixture: emWithProcedureMedicare() },
      { name: 'commercial TFESI with the authorization number', fixture: bilateralTfesiCommercial() },
      {
        name: 'Medicare Advantage facet block without auth (facet not in its prior-auth families)',
        fixture: variant(mbbMedicare, (f) => {
          f.claim.payerId = 'MEDICARE_ADVANTAGE';
        }),
      },
    ],
  },
  {
    ruleId: 'SUB-4',
    triggers: [
      {
        name: 'flags a commercial claim submitted after the 90-day timely-filing window',
        fixture: variant(bilateralTfesiCommercial, (f) => {
          f.context.asOf = '2026-06-09';
        }),
        severity: 'error',
        message: '2026-06-08',
      },
      {
        name: 'escalates a commercial claim with 30 days or less left to file',
        fixture: variant(bilateralTfesiCommercial, (f) => {
          f.context.asOf = '2026-05-09';
        }),
        severity: 'warning',
        message: '30 days',
      },
      {
        name: 'treats the last day of the window as filable (warning, not error)',
        fixture: variant(bilateralTfesiCommercial, (f) => {
          f.context.asOf = '2026-06-08';
        }),
        severity: 'warning',
        message: '0 days',
      },
      {
        name: 'flags a Medicare claim after 365 days and says CARC 29 is not appealable',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.context.asOf = '2027-03-11';
        }),
        severity: 'error',
        message: 'CARC 29',
      },
      {
        name: 'flags a submission date before the date of service',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.context.asOf = '2026-03-09';
        }),
        severity: 'error',
      },
    ],
    nearMisses: [
      {
        name: 'claim with 10 days left when the payer policy escalates at 7 days',
        fixture: variant(bilateralTfesiCommercial, (f) => {
          f.context.asOf = '2026-05-29';
          f.context.payerPolicy = { timelyFilingWarningDays: 7 };
        }),
      },
      {
        name: 'commercial claim with 31 days left',
        fixture: variant(bilateralTfesiCommercial, (f) => {
          f.context.asOf = '2026-05-08';
        }),
      },
      {
        name: 'Medicare claim at day 300',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.context.asOf = '2027-01-04';
        }),
      },
    ],
  },
  {
    ruleId: 'AUTH-2',
    triggers: [
      {
        name: 'flags a transforaminal session at three levels',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.claim.lines[1].units = 2;
          f.claim.lines[1].chargeCents = 80_000;
          f.claim.documentation!.procedures![0].levels = ['L3-L4', 'L4-L5', 'L5-S1'];
        }),
        severity: 'error',
        message: 'at most 2 levels',
      },
      {
        name: 'flags an interlaminar injection billed bilateral (62323-50)',
        fixture: variant(interlaminarMedicaid, (f) => {
          f.claim.lines[0].modifiers = ['50'];
          f.claim.lines[0].chargeCents = 90_000;
        }),
        severity: 'error',
        message: 'never billed bilateral',
      },
      {
        name: 'flags an interlaminar injection documented at two levels',
        fixture: variant(interlaminarMedicaid, (f) => {
          f.claim.documentation!.procedures![0].levels = ['L4-L5', 'L5-S1'];
        }),
        severity: 'error',
      },
      {
        name: 'flags cervical and lumbar ESIs in one session',
        fixture: variant(emWithProcedureMedicare, (f) => {
          f.claim.lines.push({ cpt: '64479', modifiers: ['RT'], units: 1, chargeCents: 80_000, diagnosisPointers: [1] });
        }),
        severity: 'error',
        message: 'one spinal region',
      },
      {
        name: 'flags a 4th lumbar ESI in 12 months for a commercial payer (limit 3) and says when the next is covered',
        fixture: variant(bilateralTfesiCommercial, (f) => {
          f.context.priorProcedures = [
            { family: 'esi', region: 'lumbar', serviceDate: '2025-05-20' },
            { family: 'esi', region: 'sacral', serviceDate: '2025-09-02' },
            { family: 'esi', region: 'lumbar', serviceDate: '2026-01-06' },
          ];
        }),
        severity: 'error',
        message: 'session 4',
        fix: '2026-05-20',
      },
      {
        name: 'notes the last covered Medicare ESI session (4 of 4)',
        fixture: variant(bilateralTfesiMedicare, (f) => {
          f.context.priorProcedures = ['2025-04-01', '2025-08-01', '2025-12-01'].map((serviceDate) => ({ family: 'esi' as const, region: 'lumbar' as const, serviceDate }));
        }),
        severity: 'info',
      },
    ],
    nearMisses: [
      {
        name: 'commercial ESI with three prior sessions of which one is older than 12 months',
        fixture: variant(bilateralTfesiCommercial, (f) => {
          f.context.priorProcedures = [
            { family: 'esi', region: 'lumbar', serviceDate: '2025-03-10' },
            { family: 'esi', region: 'lumbar', serviceDate: '2025-09-02' },
          ];
        }),
      },
      {
        name: 'prior cervical ESIs do not count against a lumbar session',
        fixture: variant(bilateralTfesiCommercial, (f) => {
          f.context.priorProcedures = ['2025-05-01', '2025-09-01', '2026-01-01'].map((serviceDate) => ({ family: 'esi' as const, region: 'cervical' as const, serviceDate }));
        }),
      },
      { name: 'two-level bilateral transforaminal session', fixture: bilateralTfesiMedicare() },
    ],
  },
  {
    ruleId: 'AUTH-3',
    triggers: [
      {
        name: 'flags a transforaminal injection under an interlaminar authorization',
        fixture: variant(bilateralTfesiCommercial, (f) => {
          f.context.authorization = { ...f.context.authorization!, approach: 'interlaminar', cpts: ['62323'] };
        }),
        severity: 'error',
        message: 'interlaminar',
      },
      {
        name: 'flags L5-S1 documented when the authorization covers L4-L5 only',
        fixture: variant(bilateralTfesiCommercial, (f) => {
          f.context.authorization!.levels = ['L4-L5'];
        }),
        severity: 'error',
        message: 'L5-S1',
      },
      {
        name: 'flags a right-sided RFA under a left-sided authorization',
        fixture: variant(rfaWithAuthCommercial, (f) => {
          f.context.authorization!.laterality = 'left';
        }),
        severity: 'error',
        message: 'left',
      },
      {
        name: 'flags a cervical authorization for a lumbar RFA',
        fixture: variant(rfaWithAuthCommercial, (f) => {
          f.context.authorization!.region = 'cervical';
        }),
        severity: 'error',
      },
    ],
    nearMisses: [
      { name: 'authorization matching code, level, approach and laterality', fixture: bilateralTfesiCommercial() },
      {
        name: 'a bilateral authorization covers a right-sided procedure',
        fixture: variant(rfaWithAuthCommercial, (f) => {
          f.context.authorization!.laterality = 'bilateral';
        }),
      },
    ],
  },
  {
    ruleId: 'AUTH-8',
    triggers: [
      {
        name: 'flags a date of service after the authorization expired',
        fixture: variant(rfaWithAuthCommercial, (f) => {
          f.context.authorization!.validTo = '2026-03-09';
        }),
        severity: 'error',
        message: 'outside the authorization window',
      },
      {
        name: 'flags a date of service before the authorization starts',
        fixture: variant(rfaWithAuthCommercial, (f) => {
          f.context.authorization!.validFrom = '2026-03-11';
        }),
        severity: 'error',
      },
      {
        name: 'flags a service beyond the authorized visit count',
        fixture: variant(rfaWithAuthCommercial, (f) => {
          f.context.authorization!.visitsAuthorized = 1;
          f.context.authorization!.visitsUsed = 1;
        }),
        severity: 'error',
      },
    ],
    nearMisses: [
      {
        name: 'date of service on the last day of the authorization window',
        fixture: variant(rfaWithAuthCommercial, (f) => {
          f.context.authorization!.validTo = '2026-03-10';
        }),
      },
      {
        name: 'visits remaining on the authorization',
        fixture: variant(rfaWithAuthCommercial, (f) => {
          f.context.authorization!.visitsAuthorized = 2;
          f.context.authorization!.visitsUsed = 1;
        }),
      },
    ],
  },
];

describe('scrub rules: triggers and near-misses', () => {
  for (const table of tables) {
    describe(table.ruleId, () => {
      for (const t of table.triggers) {
        it(`${table.ruleId} ${t.name}`, () => {
          const result = scrubClaim(t.fixture.claim, t.fixture.context);
          const hits = result.findings.filter((f) => f.ruleId === table.ruleId && f.severity === t.severity);
          expect(hits, JSON.stringify(result.findings, null, 1)).not.toHaveLength(0);
          const match = hits.find(
            (h) =>
              (t.line === undefined || h.line === t.line) &&
              (t.message === undefined || h.message.toLowerCase().includes(t.message.toLowerCase())) &&
              (t.fix === undefined || (h.fix ?? '').toLowerCase().includes(t.fix.toLowerCase())),
          );
          expect(match, JSON.stringify(hits, null, 1)).toBeDefined();
          if (t.severity === 'error') expect(result.status).toBe('errors');
        });
      }
      for (const n of table.nearMisses) {
        it(`${table.ruleId} near-miss: ${n.name}`, () => {
          const result = scrubClaim(n.fixture.claim, n.fixture.context);
          expect(result.findings.filter((f) => f.ruleId === table.ruleId)).toEqual([]);
        });
      }
    });
  }
});

describe('SUB-1 status: errors block submission, warnings do not', () => {
  it('SUB-1 status is errors when any finding is an error', () => {
    const { claim, context } = variant(bilateralTfesiMedicare, (f) => {
      f.claim.renderingNpi = '1234567890';
    });
    expect(scrubClaim(claim, context).status).toBe('errors');
  });
  it('SUB-1 status is warnings (not blocked) when the worst finding is a warning', () => {
    const { claim, context } = variant(emWithProcedureMedicare, (f) => {
      f.claim.lines[0].chargeCents = 10_000;
    });
    const result = scrubClaim(claim, context);
    expect(result.findings.every((f) => f.severity !== 'error')).toBe(true);
    expect(result.status).toBe('warnings');
  });
  it('SUB-1 status stays clean with only info findings', () => {
    const { claim, context } = variant(bilateralTfesiMedicare, (f) => {
      f.context.priorProcedures = ['2025-04-01', '2025-08-01', '2025-12-01'].map((serviceDate) => ({ family: 'esi' as const, region: 'lumbar' as const, serviceDate }));
    });
    const result = scrubClaim(claim, context);
    expect(result.findings.map((f) => f.severity)).toEqual(['info']);
    expect(result.status).toBe('clean');
  });
  it('SUB-1 lists errors before warnings, then by line', () => {
    const { claim, context } = variant(emWithProcedureMedicare, (f) => {
      f.claim.lines[0].chargeCents = 10_000; // CHG-5 warning on line 1
      f.claim.renderingNpi = '1234567890'; // CHG-3 error, claim level
    });
    const severities = scrubClaim(claim, context).findings.map((f) => f.severity);
    expect(severities).toEqual([...severities].sort((a, b) => ['error', 'warning', 'info'].indexOf(a) - ['error', 'warning', 'info'].indexOf(b)));
  });
});

describe('findings carry no PHI', () => {
  it('SUB-1 messages never echo member id, patient id or birth date', () => {
    const { claim, context } = variant(bilateralTfesiCommercial, (f) => {
      f.claim.coverage.memberId = 'MEMBERXYZ123';
      f.claim.patient.id = 'PATIENTQQ77';
      f.claim.patient.birthDate = '1949-07-04';
      delete f.claim.priorAuthNumber;
      f.claim.renderingNpi = '1234567890';
      f.context.asOf = '2026-09-01';
      f.claim.placeOfService = '10';
    });
    const text = JSON.stringify(scrubClaim(claim, context));
    expect(text).not.toContain('MEMBERXYZ123');
    expect(text).not.toContain('PATIENTQQ77');
    expect(text).not.toContain('1949-07-04');
  });
});
