namespace GradSentry.Detection;

/// <summary>
/// What the trigger-association test needs of one scored row: the distinct words of its prompt (as the model saw it,
/// template included), the distinct words of its answer (for the reviewer's evidence), and the sketch of its lm_head
/// gradient (the answer-side behaviour). Word lists are ids from one <see cref="WordVocabulary"/>.
/// </summary>
/// <param name="PromptWords">Distinct word ids of the rendered prompt.</param>
/// <param name="AnswerWords">Distinct word ids of the response.</param>
/// <param name="Sketch">The row's gradient sketch (<see cref="Scoring.GradientSketch"/>).</param>
public sealed record AssociationRow(int[] PromptWords, int[] AnswerWords, float[] Sketch);
