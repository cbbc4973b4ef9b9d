using GradSentry.Tool;

return await GradSentryCli.InvokeAsync(args).ConfigureAwait(false);
