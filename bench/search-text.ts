/**
 * Realistic chat text for the `search` scenario (bench/search-seed.ts) and for the writer ladder run beside
 * it (bench/load.ts with `bodyText: 'words'`): words drawn from a vocabulary with a natural (Zipf, s = 1)
 * frequency distribution — English function words first, then work-chat content words with their word
 * families ("deploy", "deployed", "deployment"), then a long tail of invented jargon — plus what chat
 * really holds: identifiers, URLs, ticket numbers, accented words and some Chinese, Japanese and Korean.
 *
 * Everything is deterministic for a given seed, so the query words the scenario picks (`QUERY_WORDS`)
 * have known frequency classes.
 */

import { seededRandom } from '../lib/testing/seeded-random';

/** The same seed gives the same dataset. */
export const prng = seededRandom;

/** Samples index i of `weights` with probability weights[i] / Σ weights (binary search on the CDF). */
export function weightedSampler(weights: ArrayLike<number>): (u: number) => number {
  const cdf = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i += 1) {
    total += weights[i]!;
    cdf[i] = total;
  }
  return (u: number) => {
    const x = u * total;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/** Zipf weights 1 / (rank + offset)^s for ranks 1..n. */
export function zipfWeights(n: number, s = 1, offset = 0): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i += 1) w[i] = 1 / Math.pow(i + 1 + offset, s);
  return w;
}

// English function words, most frequent first (PostgreSQL's English configuration drops most of them from
// the tsvector, but they are in the text, and so in the trigram index).
const FUNCTION_WORDS = `the to i a and it is that we you for on in this of be have with so but not can just are
was will do at if it's i'm don't think get what about there yes no ok all from now know one they my me up
out like as an or need would should could been did going some when how more then any also still see here
ok? thanks sure yeah let's maybe by it'll we're that's can't didn't doesn't isn't there's i'll you're
them our your their which who why because after before again only very much too well really`
  .split(/\s+/)
  .filter(Boolean);

// Work-chat content words, roughly most frequent first. Word families are spread over the ranks, so
// prefixes ("deplo", "confi") and substrings ("ploym", "figur") match several words of different frequency.
const CONTENT_WORDS = `deploy meeting release test build review issue server today update team fix change time
work tomorrow week look check call new branch code merge data user problem error question help
sure good done please message start morning bug service run query page back file first last
customer version staging production week's deadline plan ticket doc link note idea thing people
minute hour day sprint demo design api database cache client request response log logs alert
deployed deploying deployment deployments config configure configured configuration migrate migration
migrations migrated schedule scheduled scheduling scheduler perform performance review reviewed reviewing
reviewer reviewers notify notification notifications notified authenticate authentication authorization auth
endpoint endpoints dashboard dashboards monitor monitoring metric metrics latency throughput timeout
retry retries queue queues worker workers job jobs cron backup backups restore restored rollback rolled
package packages dependency dependencies upgrade upgraded install installed container containers cluster
clusters node nodes network networking proxy certificate certificates domain dns storage disk memory cpu
index indexes indexing search searching searched result results filter filters sort sorting order
feature features flag flags experiment experiments rollout rollouts canary incident incidents outage
postmortem oncall pager escalate escalation priority severity owner owners stakeholder stakeholders
roadmap quarter quarterly goal goals objective milestone milestones estimate estimates scope blocker
blockers blocked unblock unblocked standup retro retrospective planning grooming backlog story stories
epic epics task tasks subtask assignee assigned assign comment comments thread threads channel channels
room rooms invite invited join joined leave left mention mentioned reaction reactions emoji upload
uploaded download downloaded screenshot screenshots video recording slides agenda notes minutes summary
report reports reporting analytics insight insights chart charts graph graphs spreadsheet invoice invoices
payment payments billing subscription subscriptions pricing plan plans contract contracts vendor vendors
budget budgets forecast forecasts revenue cost costs expense expenses travel flight hotel office remote
hybrid lunch coffee dinner weekend holiday vacation sick leave birthday anniversary party celebrate
congrats welcome onboarding offboarding hiring interview interviews candidate candidates offer offers
manager managers engineer engineers designer designers analyst analysts intern interns contractor
frontend backend fullstack mobile android ios browser chrome firefox safari desktop laptop keyboard
monitor screen headphones microphone camera wifi vpn password passwords login logout session sessions
token tokens secret secrets key keys encrypt encryption decrypt permission permissions role roles
admin admins account accounts profile profiles setting settings preference preferences option options
template templates component components layout style styles theme themes color colors font fonts icon
icons button buttons modal modals form forms input inputs validation validate validated error's
exception exceptions stacktrace crash crashes crashed freeze frozen slow slower faster fast quick
quickly soon later earlier yesterday tonight afternoon evening noon midnight monday tuesday wednesday
thursday friday saturday sunday january february march april may june july august september october
november december spring summer autumn winter morning's weekly daily monthly yearly annual
benchmark benchmarks profile profiling profiler optimize optimized optimization regression regressions
flaky flakiness pipeline pipelines runner runners artifact artifacts registry image images docker
kubernetes helm terraform ansible nginx postgres postgresql redis kafka rabbitmq elasticsearch grafana
prometheus sentry datadog github gitlab jira confluence slack zoom figma notion linear vercel aws gcp azure
lambda bucket buckets region regions zone zones replica replicas primary secondary failover failback
shard shards partition partitions vacuum analyze explain plan's transaction transactions lock locks
deadlock deadlocks constraint constraints schema schemas column columns table tables view views trigger
triggers function functions procedure procedures variable variables parameter parameters argument arguments
refactor refactoring refactored cleanup rename renamed remove removed delete deleted add added create
created update's updated updating patch patched hotfix hotfixes revert reverted cherry pick picked rebase
rebased squash squashed commit commits committed push pushed pull pulled fetch fetched tag tagged
changelog readme documentation documented docs tutorial guide guides example examples sample samples
prototype prototypes mockup mockups wireframe wireframes feedback survey surveys research interview's
accessibility localization translation translations language languages timezone timezones calendar
invite's reminder reminders deadline's overdue pending approved approve approval rejected reject
draft drafts publish published unpublish archive archived restore's export exported import imported
sync synced syncing offline online status available unavailable busy away presence typing read unread
receipt receipts delivered sent pending's queued processing processed failed failure failures success
successful successfully warning warnings info debug verbose trace tracing span spans sample's sampling`
  .split(/\s+/)
  .filter(Boolean);

const SYLLABLES_START = ['br', 'tr', 'qu', 'v', 'k', 'z', 'gl', 'pl', 'st', 'dr', 'fl', 'gr', 'm', 'n', 'l', 'r', 's', 't', 'p', 'b', 'sk', 'sn', 'th', 'ch', 'wh', 'h', 'j', 'c', 'f', 'g', 'd'];
const SYLLABLES_MID = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ou', 'io', 'y', 'ee', 'oo'];
const SYLLABLES_END = ['n', 'l', 'r', 'x', 'nd', 'rk', 'st', 'm', 'sh', 'th', 'ck', 'ph', 'lt', 'rn', 'ng', 'v', 'z', 't', 's', 'dge'];

/**
 * The long tail: invented jargon (project code names, internal tools), as every team has. Stable for a
 * given seed and never an English function word.
 */
function tailWords(count: number, seed: number, taken: Set<string>): string[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const words: string[] = [];
  while (words.length < count) {
    const syllables = 2 + Math.floor(random() * 2);
    let word = '';
    for (let s = 0; s < syllables; s += 1) word += pick(SYLLABLES_START) + pick(SYLLABLES_MID);
    word += pick(SYLLABLES_END);
    if (word.length < 5 || word.length > 12 || taken.has(word)) continue;
    taken.add(word);
    words.push(word);
  }
  return words;
}

/** Vocabulary size (ranks): function words, content words, then the invented tail. */
export const TAIL_WORDS = 4_000;
const VOCAB_SEED = 20261130;

export const VOCABULARY: readonly string[] = (() => {
  const seen = new Set<string>();
  const words: string[] = [];
  for (const w of [...FUNCTION_WORDS, ...CONTENT_WORDS]) {
    if (seen.has(w)) continue;
    seen.add(w);
    words.push(w);
  }
  return [...words, ...tailWords(TAIL_WORDS, VOCAB_SEED, seen)];
})();

const ZIPF_S = 1;
const wordWeights = zipfWeights(VOCABULARY.length, ZIPF_S);
const sampleWord = weightedSampler(wordWeights);
const totalWeight = wordWeights.reduce((a, b) => a + b, 0);

/** Adjacent words that people write together: what phrase queries look for. */
export const COLLOCATIONS: readonly string[] = [
  'pull request', 'code review', 'release train', 'merge conflict', 'load balancer', 'feature flag', 'on call',
  'stand up', 'happy hour', 'test suite', 'build pipeline', 'error budget', 'rate limit', 'design doc', 'root cause',
  'hot fix', 'action items', 'staging environment', 'production database', 'connection pool', 'memory leak',
  'disk space', 'access token', 'release notes', 'user research', 'sprint planning', 'status page', 'customer call',
  'quarterly review', 'performance review', 'team offsite', 'all hands', 'office hours', 'time off', 'cold start',
  'dead letter queue', 'circuit breaker', 'blue green deployment', 'single sign on', 'end to end tests',
];
const sampleCollocation = weightedSampler(zipfWeights(COLLOCATIONS.length, 1, 1));

const ACCENTED: readonly string[] = [
  'café', 'naïve', 'résumé', 'déjà vu', 'Zürich', 'São Paulo', 'Málaga', 'façade', 'jalapeño', 'crème brûlée',
  'über', 'Düsseldorf', 'Kraków', 'señor', 'niño', 'Ångström', 'coöperate', 'piñata', 'fiancée', 'Bogotá',
  'Montréal', 'Łódź', 'Göteborg', 'Reykjavík', 'soirée', 'entrée', 'protégé', 'rôle', 'Québec', 'Ñuñoa',
];
const CJK: readonly string[] = [
  '明日の会議は10時からです', '東京オフィス', '日本語のテキスト', '部署のミーティング', '今日はありがとう', '確認お願いします',
  '这个问题已经修复了', '我们下周发布', '数据库迁移完成', '请查看文档', '서울 사무실 회의', '배포 완료했습니다', '내일 봐요',
  '大阪の顧客', '新しいバージョン', '测试环境', '会议纪要', '코드 리뷰 부탁드립니다',
];
const HOSTS = ['github.com/parley/web', 'github.com/parley/api', 'gitlab.example.com/infra/terraform', 'docs.example.com', 'grafana.internal.example.com/d', 'jira.example.com/browse', 'sentry.io/organizations/parley/issues', 'www.youtube.com/watch', 'notion.so/parley'];
const PROJECTS = ['OPS', 'WEB', 'API', 'INFRA', 'DATA', 'SEC', 'MOB', 'PAY'];
const EMOJI = ['👍', '🎉', '🙏', '😅', '🚀', '👀', '✅', '🔥'];
const END = ['.', '.', '.', '', '', '!', '?', '?', '...', ' :)'];

/** Nouns and verbs to build identifiers from (camelCase, snake_case, paths). */
const IDENT_PARTS = CONTENT_WORDS.filter((w) => /^[a-z]{3,10}$/.test(w)).slice(0, 300);

export interface TextGenerator {
  /** One chat message, 1–2000 characters (the messages_body_length CHECK). */
  message(): string;
  /** One word, drawn from the vocabulary's distribution. */
  word(): string;
}

/** Words per message: log-normal (median ~10, mean ~13, a long tail of pastes and long explanations). */
function messageLength(random: () => number): number {
  const u1 = Math.max(random(), 1e-12);
  const u2 = random();
  const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return Math.max(1, Math.min(300, Math.round(Math.exp(2.3 + 0.75 * normal))));
}

export function textGenerator(seed: number): TextGenerator {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const word = () => VOCABULARY[sampleWord(random())]!;
  const identifier = (): string => {
    const r = random();
    const a = pick(IDENT_PARTS);
    const b = pick(IDENT_PARTS);
    if (r < 0.3) return `${a}${b[0]!.toUpperCase()}${b.slice(1)}()`;
    if (r < 0.5) return `${a}_${b}`;
    if (r < 0.7) return `${pick(PROJECTS)}-${100 + Math.floor(random() * 9900)}`;
    if (r < 0.85) return `src/${a}/${b}.ts`;
    return `v${1 + Math.floor(random() * 4)}.${Math.floor(random() * 20)}.${Math.floor(random() * 10)}`;
  };
  const url = () => `https://${pick(HOSTS)}/${pick(IDENT_PARTS)}${random() < 0.6 ? `/${1 + Math.floor(random() * 9999)}` : ''}`;
  const message = (): string => {
    if (random() < 0.01) return pick(CJK) + (random() < 0.5 ? ` ${pick(CJK)}` : '');
    const n = messageLength(random);
    const parts: string[] = [];
    for (let i = 0; i < n; i += 1) {
      const r = random();
      if (r < 0.006) parts.push(url());
      else if (r < 0.016) parts.push(identifier());
      else if (r < 0.02) parts.push(pick(ACCENTED));
      else if (r < 0.0215) parts.push(pick(CJK));
      else if (r < 0.028) parts.push(COLLOCATIONS[sampleCollocation(random())]!);
      else parts.push(word());
      if (i < n - 1 && random() < 0.06) parts[parts.length - 1] += ',';
    }
    if (random() < 0.03) parts.push(pick(EMOJI));
    let text = parts.join(' ') + pick(END);
    text = text[0]!.toUpperCase() + text.slice(1);
    // UTF-16 length ≥ code points, so cutting at 2000 UTF-16 units keeps within the 2000-character CHECK;
    // never cut a surrogate pair in half.
    if (text.length > 2000) text = text.slice(0, /[\uD800-\uDBFF]/.test(text[1999]!) ? 1999 : 2000);
    return text;
  };
  return { message, word };
}

/** Probability that a message of average length holds a vocabulary word at least once (for the report). */
export function expectedShare(word: string, meanWords = 13): number | null {
  const rank = VOCABULARY.indexOf(word);
  if (rank < 0) return null;
  const p = wordWeights[rank]! / totalWeight;
  return 1 - Math.pow(1 - p, meanWords);
}

/**
 * What the scenario searches for, several per class so that consecutive iterations do not hit the same
 * cached pages: the measurement cycles through them.
 *
 * - common: the most frequent content words (each in roughly 1–2 % of messages);
 * - rare: invented tail words around rank 3,000 (each in roughly 0.05 % of messages);
 * - prefix: the start of a word family ("deplo" → deploy, deployed, deployment, …);
 * - phrase: collocations, quoted;
 * - substring: the inside of a word, matched only by substring search ("ploym" → deployment).
 */
export const QUERY_CLASSES = ['common', 'rare', 'prefix', 'phrase', 'substring'] as const;
export type QueryClass = (typeof QUERY_CLASSES)[number];

export const QUERY_WORDS: Record<QueryClass, readonly string[]> = {
  common: ['deploy', 'meeting', 'release', 'build', 'review', 'issue', 'server', 'update'],
  rare: VOCABULARY.slice(VOCABULARY.length - TAIL_WORDS + 2_400, VOCABULARY.length - TAIL_WORDS + 2_408),
  prefix: ['deplo', 'confi', 'migra', 'sched', 'notif', 'authe', 'monit', 'perfo'],
  phrase: ['"code review"', '"merge conflict"', '"load balancer"', '"feature flag"', '"release train"', '"test suite"', '"rate limit"', '"design doc"'],
  substring: ['ploym', 'figur', 'tificat', 'hedul', 'ndpoin', 'ashboar', 'ckage', 'ptimiz'],
};
