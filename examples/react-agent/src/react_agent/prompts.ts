/** The system prompt unless `configurable.systemPromptTemplate` gives another; `{system_time}` is filled in per call. */
export const SYSTEM_PROMPT_TEMPLATE = `You are a helpful assistant. Use the calculator for arithmetic.

The time is {system_time}.`;
