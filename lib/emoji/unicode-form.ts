/**
 * The one form an emoji is offered, stored and compared in: the one Unicode calls fully qualified
 * (emoji-test.txt), which is what keyboards send. emojibase appends U+FE0F to every emoji (👍 as 1F44D FE0F),
 * where Unicode needs it only after characters that are text by default (❤️ 2764 FE0F, keycaps, 🏳️‍🌈). So:
 * without U+FE0F when that is still an RGI emoji (as the JavaScript engine knows them), else the dataset's form
 * (also for emoji newer than the engine's data). Used by the server's table and the browser's picker alike.
 */
const RGI_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');

export function unicodeForm(datasetForm: string): string {
  const bare = datasetForm.replaceAll('\uFE0F', '');
  return bare !== datasetForm && RGI_EMOJI.test(bare) ? bare : datasetForm;
}
