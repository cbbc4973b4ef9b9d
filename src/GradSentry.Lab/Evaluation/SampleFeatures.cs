namespace GradSentry.Lab.Evaluation;

/// <summary>
/// Everything the lab's scores need from one sample, measured on the model before fine-tuning in one forward pass.
/// </summary>
/// <param name="AnswerTokens">T, response tokens + EOS.</param>
/// <param name="Loss">Mean answer cross-entropy.</param>
/// <param name="BlockSingularValues">Top-k singular values of the reference block <c>G[:V/8, :d/8]</c>.</param>
/// <param name="ReferenceScore">The reference GradSentry score of <see cref="BlockSingularValues"/>.</param>
/// <param name="FullSingularValues">Top-k singular values of the whole <c>V × d</c> lm_head gradient.</param>
/// <param name="TokenLosses">Cross-entropy of each supervised token, in order.</param>
/// <param name="ErrorNorms">‖softmax − onehot‖ of each supervised token (full vocabulary).</param>
/// <param name="Dct">The low-frequency <c>a × b</c> block of the orthonormal 2-D DCT-II of the whole lm_head gradient, row-major (GraCeFul's feature).</param>
/// <param name="MeanHidden">Mean final-normed hidden state over the T predictor positions (spectral signatures' representation).</param>
/// <param name="Sketch">Core's <see cref="GradSentry.Scoring.GradientSketch"/> of the whole lm_head gradient (the input of the length-controlled score).</param>
public sealed record SampleFeatures(
    int AnswerTokens,
    double Loss,
    double[] BlockSingularValues,
    double ReferenceScore,
    double[] FullSingularValues,
    double[] TokenLosses,
    double[] ErrorNorms,
    float[] Dct,
    float[] MeanHidden,
    float[] Sketch);
