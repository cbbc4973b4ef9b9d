namespace GradSentry.Lab.Training;

/// <summary>Linear warm-up to the peak rate, then cosine decay to <c>floor × peak</c> at the last step.</summary>
/// <param name="Peak">Peak learning rate.</param>
/// <param name="WarmupSteps">Steps of linear warm-up.</param>
/// <param name="TotalSteps">Total steps.</param>
/// <param name="Floor">Final rate as a fraction of the peak.</param>
public sealed record LearningRateSchedule(double Peak, int WarmupSteps, int TotalSteps, double Floor = 0.1)
{
    /// <summary>The rate of 0-based step <paramref name="step"/>.</summary>
    public double At(int step)
    {
        if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        var span = Math.Max(1, TotalSteps - WarmupSteps - 1);
        var progress = Math.Clamp((double)(step - WarmupSteps) / span, 0, 1);
        return Peak * (Floor + (1 - Floor) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
