/**
 * Custom search attributes (CONTRACTS.md "Temporal"). Registered by the dev-server start
 * (`lib/temporal-dev-server.ts`) and by docker-compose. No PHI in any of them.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const RcmKind = defineSearchAttributeKey('RcmKind', SearchAttributeType.KEYWORD);
export const RcmStatus = defineSearchAttributeKey('RcmStatus', SearchAttributeType.KEYWORD);
export const PracticeId = defineSearchAttributeKey('PracticeId', SearchAttributeType.KEYWORD);
export const PayerId = defineSearchAttributeKey('PayerId', SearchAttributeType.KEYWORD);
export const ProviderNpi = defineSearchAttributeKey('ProviderNpi', SearchAttributeType.KEYWORD);
export const CptCodes = defineSearchAttributeKey('CptCodes', SearchAttributeType.KEYWORD_LIST);
export const DollarsAtRisk = defineSearchAttributeKey('DollarsAtRisk', SearchAttributeType.DOUBLE);
export const NextDeadline = defineSearchAttributeKey('NextDeadline', SearchAttributeType.DATETIME);
export const DenialCategory = defineSearchAttributeKey('DenialCategory', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [
  RcmKind,
  RcmStatus,
  PracticeId,
  PayerId,
  ProviderNpi,
  CptCodes,
  DollarsAtRisk,
  NextDeadline,
  DenialCategory,
];

/** `temporal server start-dev --search-attribute Name=Type` spelling of each key. */
export function searchAttributeCliArgs(): string[] {
  const cliType: Record<string, string> = {
    KEYWORD: 'Keyword',
    KEYWORD_LIST: 'KeywordList',
    DOUBLE: 'Double',
    DATETIME: 'Datetime',
  };
  return ALL_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${cliType[k.type]}`]);
}
