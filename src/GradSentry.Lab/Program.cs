using GradSentry.Lab;

return LabCli.Run(args, Console.Out, Console.Error);
