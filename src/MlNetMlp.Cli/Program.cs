System.Console.WriteLine("mlnetmlp");
